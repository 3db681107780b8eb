"""Django admin for campaigns and the outbox of record.

Messages, events and unsubscriptions are records of what happened: read-only here. The one
repair an admin may make is to queue a failed or doubtful message again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts.models import Contact
from campaigns import audience, authored, content, holdouts, services
from campaigns.deliverability import without_address
from campaigns.models import (
    Audience,
    Campaign,
    CampaignContent,
    DeliveryEvent,
    Engagement,
    Event,
    Message,
    Referral,
    Suppression,
    TrackedLink,
    Trigger,
    Unsubscription,
    address_hash,
)
from campaigns.pipeline import queue_again
from campaigns.referrals import sync_lead
from campaigns.schedules import ensure_schedule, remove_schedule
from campaigns.selectors import campaign_has_held_out, campaign_stats
from campaigns.tasks import send_messages
from lifecycle.lib.emails import language_for
from lifecycle.lib.headers import email_preview_policy
from lifecycle.lib.queueing import enqueue_on_commit

URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: listed and shown, never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CampaignContentForm(forms.ModelForm):
    """Each part must render in the sandbox: known variables, allowed tags only."""

    class Meta:
        model = CampaignContent
        fields = ["language", "subject", "text_body", "html_body"]
        widgets = {
            "text_body": forms.Textarea(attrs={"rows": 8}),
            "html_body": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].help_text = content.variables_help()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("subject", "text_body", "html_body"):
            for problem in content.problems(cleaned.get(name) or ""):
                self.add_error(name, problem)
        return cleaned


class PreviewForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
    contact = forms.EmailField(
        widget=forms.EmailInput(attrs={"size": 40}),
        label=_("As the contact with the email"),
        required=False,
        help_text=_("Empty: sample values."),
    )

    def chosen(self) -> tuple[str, Contact | None]:
        """The contact asked for (none: sample values) and the language: the one asked
        for, else the contact's own, else English. An invalid field counts as not given."""
        self.is_valid()  # cleaned_data then holds each field that is valid
        email = self.cleaned_data.get("contact")
        contact = (
            Contact.objects.select_related("account").filter(email__iexact=email).first()
            if email
            else None
        )
        language = self.cleaned_data.get("language") or (
            language_for(contact.language) if contact else authored.FALLBACK_LANGUAGE
        )
        return language, contact


class CampaignContentFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data.get("language")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if kept and authored.FALLBACK_LANGUAGE not in kept:
            raise forms.ValidationError(
                _("Write the English email too: contacts in other languages get it.")
            )


class DripStepInline(admin.TabularInline):
    """A drip's steps, each a campaign of its own (its email, its results): listed here,
    edited on their own page."""

    model = Campaign
    fk_name = "drip"
    fields = ["name", "step_day", "enabled"]
    readonly_fields = ["name", "step_day", "enabled"]
    ordering = ["step_day", "pk"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("step")
    verbose_name_plural = _("steps (add one as a campaign of trigger “a step of a nurture drip”)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CampaignContentInline(admin.StackedInline):
    model = CampaignContent
    form = CampaignContentForm
    formset = CampaignContentFormSet
    extra = 0
    max_num = len(settings.LANGUAGES)
    verbose_name_plural = _("email content per language (English is the fallback)")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "trigger", "category", "enabled"]
    list_filter = ["enabled", "trigger", "category"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "readiness",
        "audience_size",
        "stats",
        "preview",
        "schedule",
        "created_at",
        "updated_at",
    ]
    inlines = [CampaignContentInline]
    actions = ["send_now", "activate", "pause"]
    # "www.g2.com/…" typed without a scheme is an https page (Django 6's default already).
    formfield_overrides = URL_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "category", "enabled", "readiness"]}),
        (
            pgettext_lazy("campaign schedule", "When"),
            {"fields": ["trigger", "cycle_months", "send_hour", "event_type", "when_capped"]},
        ),
        (_("Delays"), {"fields": ["delay_minutes", "reminder_after_days"]}),
        (
            _("Nurture drip"),
            {
                "fields": [
                    "drip",
                    "step_day",
                    "goal_event",
                    "exit_when_customer",
                    "exit_when_answered",
                ]
            },
        ),
        (_("Audience"), {"fields": ["audience", "audience_size", "holdout_percent"]}),
        (_("Links"), {"fields": ["review_url"]}),
        (_("Results"), {"fields": ["stats"]}),
        (_("Record"), {"fields": ["preview", "schedule", "created_at", "updated_at"]}),
    ]
    # The fields of "When" and "Delays" each trigger uses; a saved campaign shows only its
    # own (a new one shows all, each field's help says what it is for).
    TRIGGER_FIELDS = {
        Trigger.ROLLING: {"cycle_months", "send_hour"},
        Trigger.EVENT: {"event_type", "delay_minutes"},
        Trigger.ONCE: set(),
        Trigger.WELCOME: {"send_hour"},
        Trigger.BIRTHDAY: {"send_hour"},
        Trigger.ANNIVERSARY: {"send_hour"},
        Trigger.PROMOTER: {"send_hour"},
        Trigger.DRIP: {"event_type", "goal_event", "exit_when_customer", "exit_when_answered"},
        Trigger.DRIP_STEP: {"drip", "step_day", "send_hour"},
    }
    TRIGGER_DEPENDENT = {
        "cycle_months",
        "send_hour",
        "event_type",
        "delay_minutes",
        "drip",
        "step_day",
        "goal_event",
        "exit_when_customer",
        "exit_when_answered",
    }

    class Media:
        js = ["js/admin-campaign-trigger.js"]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        # The new campaign's form follows the trigger chosen (static/js/admin-campaign-trigger.js).
        spec = {
            "fields": {trigger: sorted(fields) for trigger, fields in self.TRIGGER_FIELDS.items()},
            "dependent": sorted(self.TRIGGER_DEPENDENT),
        }
        return super().add_view(
            request, form_url, {**(extra_context or {}), "trigger_fields": spec}
        )

    def sends_reminders(self, campaign: Campaign | None) -> bool:
        """Reminders belong to survey campaigns (the surveys admin says which those are)."""
        return campaign is None

    def get_inlines(self, request: HttpRequest, obj: Campaign | None) -> list:
        # A drip sends nothing itself: it lists its steps, which carry the emails.
        if obj is not None and obj.trigger == Trigger.DRIP:
            return [DripStepInline]
        return super().get_inlines(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Campaign | None = None) -> list:
        if obj is None:
            return super().get_fieldsets(request, obj)
        hidden = self.TRIGGER_DEPENDENT - self.TRIGGER_FIELDS.get(obj.trigger, set())
        if not self.sends_reminders(obj):
            hidden.add("reminder_after_days")
        if obj.trigger == Trigger.DRIP_STEP:
            # A step reaches the drip's contacts and shares its holdout group.
            hidden |= {"audience", "audience_size", "holdout_percent"}
        if obj.trigger == Trigger.DRIP:
            hidden |= {"review_url", "when_capped"}
        kept = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [field for field in options["fields"] if field not in hidden]
            if fields:
                kept.append((name, {**options, "fields": fields}))
        return kept

    @admin.display(description=_("beat schedule"))
    def schedule(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return "-"
        if campaign.trigger == Trigger.ONCE:
            return _("None: a broadcast goes only when an admin sends it.")
        if campaign.trigger == Trigger.EVENT:
            return _("Planned by its events; every hour it looks for reminders to send.")
        if campaign.enabled:
            return _("Every hour it plans what is due.")
        return _("Paused: it plans nothing.")

    def get_form(self, request: HttpRequest, obj: Campaign | None = None, **kwargs: Any):
        form = super().get_form(request, obj, **kwargs)
        if "when_capped" in form.base_fields:
            form.base_fields["when_capped"].help_text = _(
                "A contact gets at most %(emails)d emails in %(days)d days, across every "
                "campaign and survey. A date-bound message (a birthday) is better skipped "
                "than late."
            ) % {"emails": settings.FREQUENCY_CAP_EMAILS, "days": settings.FREQUENCY_CAP_DAYS}
        return form

    @admin.display(description=_("ready to send"))
    def readiness(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return "-"
        missing = services.missing_email(campaign)
        if missing:
            return format_html("<strong>{}</strong> {}", _("Set me:"), missing)
        return _("Yes")

    @admin.display(description=_("contacts in its audience today"))
    def audience_size(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return _("Save the campaign to count its audience.")
        count = audience.audience_size(campaign, now=timezone.now())
        return ngettext(
            "%(count)d contact (consent and unsubscribes applied)",
            "%(count)d contacts (consent and unsubscribes applied)",
            count,
        ) % {"count": count}

    @admin.display(description=_("messages and engagement"))
    def stats(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return "-"
        return render_to_string(
            "admin/campaigns/campaign/stats.html",
            {
                "stats": campaign_stats(campaign),
                "holdout": holdouts.report(campaign, now=timezone.now())
                if campaign.holdout_percent or campaign_has_held_out(campaign)
                else None,
                "messages_url": reverse("admin:campaigns_message_changelist")
                + f"?campaign__id__exact={campaign.pk}",
            },
        )

    @admin.display(description=_("preview"))
    def preview(self, campaign: Campaign) -> str:
        if campaign.pk is None or not campaign.contents.exists():
            return _("Save some email content first.")
        url = reverse("admin:campaigns_campaign_preview", args=[campaign.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview and send a test to me"))

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(email_preview_policy(self.preview_view)),
                name="campaigns_campaign_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The campaign's email as a chosen contact would get it, in a chosen language; a
        POST sends that to the signed-in admin through the pipeline."""
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        choice = PreviewForm(request.POST if request.method == "POST" else request.GET)
        language, contact = choice.chosen()
        if request.method == "POST":
            if not self.has_change_permission(request, campaign):
                raise PermissionDenied
            return self._send_test(request, campaign, language, contact)
        rendered = authored.render_for(campaign, language, contact, content.SAMPLE_LINKS)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(campaign)s") % {"campaign": campaign},
            "campaign": campaign,
            "opts": self.model._meta,
            "form": choice,
            "language": dict(settings.LANGUAGES)[language],
            "language_code": language,
            "contact": contact,
            "rendered": rendered,
            "can_send": self.has_change_permission(request, campaign) and request.user.email,
        }
        return TemplateResponse(request, "admin/campaigns/campaign/preview.html", context)

    def _send_test(
        self, request: HttpRequest, campaign: Campaign, language: str, contact: Contact | None
    ) -> HttpResponse:
        query = {"language": language, "contact": contact.email if contact else ""}
        back = f"{request.path}?{urlencode(query)}"
        if not request.user.email:
            self.message_user(request, _("Your user has no email address."), messages.ERROR)
            return redirect(back)
        test = authored.queue_test(
            campaign, to=request.user.email, language=language, contact=contact, now=timezone.now()
        )
        enqueue_on_commit(send_messages, [test.pk])
        self.message_user(
            request,
            _("A test is on its way to %(email)s.") % {"email": request.user.email},
            messages.SUCCESS,
        )
        return redirect(back)

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        ensure_schedule(obj)

    @admin.action(
        description=_(
            "Send now to the whole audience (once per contact, however often you press it)"
        ),
        permissions=["change"],
    )
    def send_now(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> HttpResponse | None:
        now = timezone.now()
        if request.POST.get("confirmed") != "yes":
            # A page that says who would get it, or what is missing, before anything goes.
            rows = [
                (
                    campaign,
                    audience.audience_size(campaign, now=now),
                    services.missing_email(campaign),
                )
                for campaign in queryset
            ]
            context = {
                **self.admin_site.each_context(request),
                "title": _("Send now?"),
                "opts": self.model._meta,
                "campaigns": rows,
                "can_send": any(
                    campaign.enabled and not missing for campaign, _size, missing in rows
                ),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/campaigns/campaign/send_now_confirmation.html", context
            )
        for campaign in queryset:
            if not campaign.enabled:
                self.message_user(
                    request,
                    _("%(campaign)s is disabled: nothing sent.") % {"campaign": campaign},
                    messages.WARNING,
                )
                continue
            try:
                queued, _sent = services.send_now(campaign, now=now, enqueue=send_messages.delay)
            except services.NoEmail as missing:
                self.message_user(
                    request,
                    _("%(campaign)s cannot send yet. %(missing)s")
                    % {"campaign": campaign, "missing": missing},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                _("%(campaign)s: %(count)d new messages queued.")
                % {"campaign": campaign, "count": queued},
                messages.SUCCESS,
            )

    @admin.action(description=_("Activate: plan and send on its schedule"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._switch(request, queryset, enabled=True)

    @admin.action(description=_("Pause: plan and send nothing more"), permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._switch(request, queryset, enabled=False)

    def _switch(self, request: HttpRequest, queryset: QuerySet[Campaign], *, enabled: bool) -> None:
        for campaign in queryset:
            if campaign.enabled != enabled:
                campaign.enabled = enabled
                campaign.save(update_fields=["enabled", "updated_at"])
            ensure_schedule(campaign)  # beat follows the campaign
        message = (
            ngettext(
                "%(count)d campaign activated.", "%(count)d campaigns activated.", len(queryset)
            )
            if enabled
            else ngettext(
                "%(count)d campaign paused.", "%(count)d campaigns paused.", len(queryset)
            )
        )
        self.message_user(request, message % {"count": len(queryset)}, messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: Campaign) -> None:
        remove_schedule(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            remove_schedule(campaign)
        super().delete_queryset(request, queryset)


class ReadOnlyInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrackedLinkInline(ReadOnlyInline):
    model = TrackedLink
    fields = ["position", "url"]


class DeliveryEventInline(ReadOnlyInline):
    model = DeliveryEvent
    fields = ["kind", "occurred_at", "provider", "description"]


class EngagementInline(ReadOnlyInline):
    model = Engagement
    fields = ["kind", "occurred_at", "link", "machine", "machine_reason", "user_agent"]
    ordering = ["occurred_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Engagement]:
        return super().get_queryset(request).select_related("link")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "campaign",
        "contact_email",
        "occurrence",
        "reason",
        "status",
        "due_at",
        "sent_at",
        "attempts",
    ]
    list_filter = ["status", "campaign"]
    inlines = [DeliveryEventInline, TrackedLinkInline, EngagementInline]
    search_fields = ["contact__email", "recipient", "message_id"]
    list_select_related = ["campaign", "contact"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    actions = ["queue_again"]

    @admin.display(description=_("to"), ordering="contact__email")
    def contact_email(self, message: Message) -> str:
        if message.erased_contact_account_id is not None:
            return str(_("Erased contact"))
        return message.to

    @admin.action(
        description=_("Queue again (failed or needing review; check the mail log first)"),
        permissions=["requeue"],
    )
    def queue_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        queued = queue_again(queryset, now=timezone.now())
        skipped = queryset.count() - queued
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", queued)
            % {"count": queued},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was left alone: only failed messages and messages "
                    "that need review can be queued again.",
                    "%(count)d messages were left alone: only failed messages and messages "
                    "that need review can be queued again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_requeue_permission(self, request: HttpRequest) -> bool:
        # Changing a message's status is changing the message, which ReadOnlyAdmin forbids
        # in forms; the action checks the model permission itself.
        return request.user.has_perm("campaigns.change_message")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["type", "contact", "occurred_at", "external_id", "created_at"]
    list_filter = ["type"]
    search_fields = ["contact__email", "external_id", "type"]
    list_select_related = ["contact"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Unsubscription)
class UnsubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["contact", "category", "source", "message", "created_at"]
    list_filter = ["category", "source"]
    search_fields = ["contact__email"]
    list_select_related = ["contact", "message__campaign"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Engagement)
class EngagementAdmin(ReadOnlyAdmin):
    list_display = ["kind", "message", "link", "occurred_at", "machine", "machine_reason"]
    list_filter = ["kind", "machine", "machine_reason", "message__campaign"]
    search_fields = ["message__contact__email"]
    list_select_related = ["message__campaign", "message__contact", "link"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "industry", "employee_band", "country", "nps_band"]
    list_filter = ["status", "nps_band"]
    search_fields = ["name"]
    readonly_fields = ["size", "used_by"]
    filter_horizontal = ["tags"]
    fieldsets = [
        (None, {"fields": ["name", "size", "used_by"]}),
        (
            _("Accounts"),
            {
                "fields": [
                    "status",
                    "industry",
                    "employee_band",
                    "mrr_band",
                    "country",
                    "owner",
                    "customer_since_from",
                    "customer_since_to",
                ]
            },
        ),
        (_("Contacts"), {"fields": ["language", "nps_band"]}),
    ]

    @admin.display(description=_("matching contacts today"))
    def size(self, audience_: Audience) -> str:
        if audience_.pk is None:
            return _("Save to count.")
        contacts = audience.in_audience(audience_, Contact.objects.all(), timezone.localdate())
        count = contacts.filter(email_consent=True).count()
        return ngettext(
            "%(count)d contact with consent (each campaign also leaves out who unsubscribed "
            "from its category)",
            "%(count)d contacts with consent (each campaign also leaves out who unsubscribed "
            "from its category)",
            count,
        ) % {"count": count}

    @admin.display(description=_("campaigns"))
    def used_by(self, audience_: Audience) -> str:
        names = list(audience_.campaigns.values_list("name", flat=True)) if audience_.pk else []
        return ", ".join(names) or "-"


class SuppressionAddForm(forms.ModelForm):
    """Staff block an address by typing it: only its hash is stored (docs/security.md)."""

    address = forms.EmailField(label=_("address"), max_length=254)
    reason = forms.ChoiceField(
        label=_("reason"),
        choices=[
            (Suppression.Reason.STAFF, Suppression.Reason.STAFF.label),
            (Suppression.Reason.UNSUBSCRIBE, Suppression.Reason.UNSUBSCRIBE.label),
        ],
        initial=Suppression.Reason.STAFF,
    )

    class Meta:
        model = Suppression
        fields = ["category", "reason", "description"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        category = cleaned.get("category") or Suppression.EVERY_CATEGORY
        if cleaned.get("reason") == Suppression.Reason.UNSUBSCRIBE and not category:
            # A resubscribe lifts one category's unsubscribe (lift_unsubscribe): one of every
            # category would never be lifted.
            message = _(
                "Choose the category the person unsubscribed from: a resubscribe lifts one "
                "category, so an unsubscribe from every category could never be lifted. To "
                "stop every email, choose the reason “%(staff)s”."
            )
            self.add_error("category", message % {"staff": Suppression.Reason.STAFF.label})
            return cleaned
        address = cleaned.get("address")
        if address:
            hashed = address_hash(address)
            if Suppression.objects.filter(address_hash=hashed, category=category).exists():
                raise forms.ValidationError(_("This address is already suppressed there."))
            self.instance.address_hash = hashed
            cleaned["description"] = without_address(cleaned.get("description", ""), address)
        return cleaned


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Addresses no email may go to, by category or in all, kept as hashes. Staff may block
    one by hand; lifting a bounce or a complaint (deleting it) is an admin's decision, after
    checking with the person. Searching by an address looks up its hash."""

    list_display = ["short_hash", "scope", "reason", "created_at", "message"]
    list_filter = ["reason", "category"]
    search_fields = ["address_hash"]
    search_help_text = _("An address (its hash is looked up) or the start of a hash.")
    list_select_related = ["message__campaign"]
    readonly_fields = ["message", "created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_form(
        self, request: HttpRequest, obj: Suppression | None = None, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = SuppressionAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Suppression | None = None) -> list[str]:
        if obj is None:
            return ["address", "category", "reason", "description"]
        return ["address_hash", "category", "reason", "description", "message", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Suppression | None = None) -> list:
        # A recorded suppression is a fact: only a new one is written here.
        if obj is not None:
            return self.get_fields(request, obj)
        return self.readonly_fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(address_hash=address_hash(term)), False
        return queryset.filter(address_hash__startswith=term.lower()), False

    @admin.display(description=_("address hash"), ordering="address_hash")
    def short_hash(self, suppression: Suppression) -> str:
        return f"{suppression.address_hash[:16]}…"

    @admin.display(description=_("category"), ordering="category")
    def scope(self, suppression: Suppression) -> str:
        return suppression.scope


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["lead", "referrer", "status", "reward", "needs_review", "flags", "created_at"]
    list_filter = ["needs_review", "status", "reward"]
    search_fields = ["lead__email", "referrer__email"]
    list_select_related = ["lead", "referrer"]
    list_editable = ["status", "reward", "needs_review"]
    readonly_fields = [
        "referrer",
        "lead",
        "flags",
        "client",
        "consent_text",
        "consented_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # referrals come from the referral page

    def save_model(self, request: HttpRequest, obj: Referral, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        sync_lead(obj.lead_id)  # the lead follows, as on the staff page
