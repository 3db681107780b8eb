"""Django admin for surveys: wording per language, and read-only records of who was asked
and what they answered. Answers change only through the customer's link (and keep every
version), so the admin shows them but does not edit them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from campaigns.admin import CampaignAdmin
from campaigns.models import Campaign, Trigger
from surveys import follow_ups
from surveys.models import (
    FollowUp,
    FollowUpComment,
    FollowUpReason,
    FollowUpStatus,
    Invitation,
    Response,
    ResponseRevision,
    Survey,
    SurveyText,
    WebhookDelivery,
    WebhookEndpoint,
    join_reasons,
    survey_of,
)
from surveys.services import link_survey


class ReadOnlyMixin:
    """A record of what happened: shown, never added or edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SurveyTextInline(admin.StackedInline):
    model = SurveyText
    extra = 0
    max_num = len(settings.LANGUAGES)
    fields = [
        "language",
        "question",
        "follow_up_question",
        "follow_up_low",
        "follow_up_neutral",
        "follow_up_high",
        "thank_you",
    ]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "interval_days", "expires_after_days"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SurveyTextInline]


class SurveyCampaignForm(forms.ModelForm):
    survey = forms.ModelChoiceField(
        Survey.objects.all(),
        label=capfirst(_("survey")),  # as admin labels model fields
        required=False,
        help_text=_("The survey this campaign's emails ask."),
    )

    class Meta:
        model = Campaign
        fields: list[str] = []  # the admin's fieldsets choose them

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["survey"].initial = survey_of(self.instance)


def _with_survey(fields: list[str]) -> list[str]:
    return [
        *fields[: fields.index("enabled") + 1],
        "survey",
        *fields[fields.index("enabled") + 1 :],
    ]


# Campaigns know nothing of surveys; the campaign admin gains its survey here, above them.
class SurveyCampaignAdmin(CampaignAdmin):
    form = SurveyCampaignForm
    list_display = [*CampaignAdmin.list_display, "survey"]
    list_select_related = ["survey_link__survey"]
    fieldsets = [
        (
            CampaignAdmin.fieldsets[0][0],
            {"fields": _with_survey(CampaignAdmin.fieldsets[0][1]["fields"])},
        ),
        *CampaignAdmin.fieldsets[1:],
    ]

    def sends_reminders(self, campaign: Campaign | None) -> bool:
        return campaign is None or survey_of(campaign) is not None

    # The triggers whose campaign may send a survey.
    SURVEY_TRIGGERS = {Trigger.ROLLING, Trigger.EVENT, Trigger.ONCE}

    def get_fieldsets(self, request: HttpRequest, obj: Campaign | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        hidden = set()
        if obj.trigger not in self.SURVEY_TRIGGERS:
            hidden.add("survey")
        if survey_of(obj) is not None:
            hidden.add("review_url")  # the survey's own email has no review link
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
            if [f for f in options["fields"] if f not in hidden]
        ]

    def get_inlines(self, request: HttpRequest, obj: Campaign | None) -> list:
        # A survey campaign sends the survey's own emails: no content to write for it.
        if obj is not None and survey_of(obj):
            return []
        return super().get_inlines(request, obj)

    @admin.display(description=_("survey"), ordering="survey_link__survey__name")
    def survey(self, campaign: Campaign) -> str:
        return str(survey_of(campaign) or "-")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        link_survey(form.instance, form.cleaned_data["survey"])


admin.site.unregister(Campaign)
admin.site.register(Campaign, SurveyCampaignAdmin)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["survey", "contact_email", "account", "language", "created_at", "expires_at"]
    list_filter = ["survey", "language", "created_at"]
    search_fields = ["contact__email"]
    list_select_related = ["survey", "contact", "account"]
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("contact"), ordering="contact__email")
    def contact_email(self, invitation: Invitation) -> str:
        return invitation.contact.email if invitation.contact else str(_("Erased contact"))


class ResponseRevisionInline(ReadOnlyMixin, admin.TabularInline):
    model = ResponseRevision
    extra = 0
    fields = ["recorded_at", "score", "comment"]
    readonly_fields = fields
    can_delete = False


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "submitted_at",
        "kind",
        "score",
        "contact_email",
        "account",
        "survey",
        "short_comment",
        "source",
        "language",
    ]
    list_filter = ["kind", "source", "score", "survey", "submitted_at"]
    search_fields = ["contact__email", "account__name", "comment", "external_id"]
    list_select_related = ["contact", "account", "survey"]
    inlines = [ResponseRevisionInline]
    show_full_result_count = False

    @admin.display(description=_("contact"), ordering="contact__email")
    def contact_email(self, response: Response) -> str:
        return response.contact.email if response.contact else response.contact_label

    @admin.display(description=_("comment"))
    def short_comment(self, response: Response) -> str:
        return Truncator(response.comment).chars(60)


class FollowUpCommentInline(admin.TabularInline):
    model = FollowUpComment
    extra = 1
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return FollowUpReason.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.with_reason(self.value()) if self.value() else queryset


class FollowUpForm(forms.ModelForm):
    """The reasons as boxes to tick; stored as their joined codes."""

    reasons = forms.MultipleChoiceField(
        label=capfirst(_("reasons")),
        choices=FollowUpReason.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FollowUp
        fields: list[str] = []  # the admin's fields choose them

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["reasons"] = self.instance.reason_list

    def clean_reasons(self) -> str:
        return join_reasons(self.cleaned_data["reasons"])


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    form = FollowUpForm
    list_display = [
        "account",
        "reasons_display",
        "score",
        "status",
        "assignee",
        "opened_at",
        "closed_at",
    ]
    list_filter = ["status", ReasonFilter, "opened_at"]
    search_fields = ["account__name", "response__contact__email"]
    list_select_related = ["account", "assignee", "response"]
    fields = ["account", "response", "reasons", "status", "assignee", "opened_at", "closed_at"]
    autocomplete_fields = ["account", "assignee", "response"]
    readonly_fields = ["opened_at", "closed_at"]
    inlines = [FollowUpCommentInline]

    @admin.display(description=_("reasons"), ordering="reasons")
    def reasons_display(self, follow_up: FollowUp) -> str:
        return follow_up.get_reasons_display()

    @admin.display(description=_("score"), ordering="response__score")
    def score(self, follow_up: FollowUp) -> str:
        answer = follow_up.response
        return "-" if answer is None else f"{answer.kind.upper()} {answer.score}"

    def save_model(self, request: HttpRequest, obj: FollowUp, form: Any, change: bool) -> None:
        if not change:  # a new item: as given (an item added closed was closed just now)
            if obj.status == FollowUpStatus.CLOSED:
                obj.closed_at = timezone.now()
            super().save_model(request, obj, form, change)
            return
        # A status changed by hand goes through the same services as the staff pages.
        wanted, obj.status = obj.status, form.initial["status"]
        super().save_model(request, obj, form, change)
        if wanted == obj.status:
            return
        if wanted == FollowUpStatus.CLOSED:
            follow_ups.close(obj, now=timezone.now())
        else:
            follow_ups.reopen(obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        comments = formset.save(commit=False)
        for comment in comments:
            if isinstance(comment, FollowUpComment) and comment.author_id is None:
                comment.author = request.user
            comment.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "is_active", "created_at"]
    # Webhooks carry customers' answers: a URL typed without a scheme means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["is_active"]
    search_fields = ["url"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "endpoint",
        "response",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "endpoint"]
    search_fields = ["endpoint__url", "response__contact__email"]
    list_select_related = ["endpoint", "response"]
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
