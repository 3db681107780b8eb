"""Staff logins in Django admin: Django's own user admin, plus unlocking a sign-in that
django-axes locked after too many failed passwords; and the API tokens, issued here with
their key shown once, revoked by deleting them."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_failed_logins
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken
from rest_framework.authtoken.models import TokenProxy

from lifecycle.staff.api_tokens import MAX_TOKEN_DAYS, is_expired, issue_token
from lifecycle.staff.models import KEY_START_SHOWN, ApiToken

User = get_user_model()


class StaffUserAdmin(UserAdmin):
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Unlock sign-in (forget failed password attempts)"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The lockout by address stays: unlock it in "Access attempts", by address.
        for user in queryset:
            reset_failed_logins(username=user.get_username())
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "Sign-in unlocked for %(count)d user.",
                "Sign-in unlocked for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=lambda: settings.API_TOKEN_DAYS,
        help_text=_("It stops working after this many days; issue a new one before then."),
    )

    class Meta:
        model = ApiToken
        fields = ["user"]
        help_texts = {
            "user": _(
                "The integration acts as this user, with the user's role: give it a user of "
                "its own with the smallest role it needs (Marketer to send events)."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:  # not on the read-only page of an issued token
            self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["key_start", "user", "created", "expiry", "valid"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    ordering = ["-created"]

    @admin.display(description=_("key starts with"))
    def key_start(self, token: ApiToken) -> str:
        return f"{token.token_key[:KEY_START_SHOWN]}…"

    @admin.display(description=_("valid"), boolean=True)
    def valid(self, token: ApiToken) -> bool:
        return not is_expired(token)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["user", "days"]
        return ["key_start", "user", "created", "expiry", "valid"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # a token is issued, or revoked by deleting it; never edited

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        # Each button would lead to the page with the key: only "Save" says what happens.
        only_save = {"show_save_and_add_another": False, "show_save_and_continue": False}
        return super().add_view(request, form_url, {**(extra_context or {}), **only_save})

    def save_form(self, request: HttpRequest, form: ApiTokenForm, change: bool) -> ApiToken:
        token, key = issue_token(form.cleaned_data["user"], days=form.cleaned_data["days"])
        token.key = key  # for response_add to show once; never stored
        return token

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        """issue_token has saved it."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A token has nothing related to save."""

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token issued"),
            "token": obj,
            "key": obj.key,
        }
        response = TemplateResponse(request, "admin/staff/apitoken/issued.html", context)
        add_never_cache_headers(response)  # the key must not linger in any cache
        return response


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
# The API tokens are ApiTokenAdmin's: knox's own admin would show the digests, and DRF's
# plaintext tokens no longer authenticate (their table stays empty after the migration).
admin.site.unregister(AuthToken)
admin.site.unregister(TokenProxy)
