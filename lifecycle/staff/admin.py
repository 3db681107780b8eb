"""Staff logins in Django admin: Django's own user admin, plus unlocking a sign-in that
django-axes locked after too many failed passwords."""

from __future__ import annotations

from axes.utils import reset as reset_failed_logins
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
