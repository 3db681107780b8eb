from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Importing it registers Contact's admin first: this app comes before accounts in
# INSTALLED_APPS, so autodiscover would reach this module before accounts' own.
from accounts.admin import ContactAdmin
from accounts.models import Contact
from campaigns.models import normalized_address
from lifecycle.ops import personal_data
from lifecycle.ops.models import Heartbeat
from lifecycle.staff.roles import is_admin


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen"]
    readonly_fields = ["name", "last_seen"]


class ContactAdminWithErasure(ContactAdmin):
    """Accounts' contact admin with the erasure of a person (lifecycle.ops.personal_data),
    which reaches every layer and so is added from here."""

    actions = [*(ContactAdmin.actions or []), "erase_people"]

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)  # the Admin role only, whatever else a user may do

    @admin.action(
        description=_("Erase these people everywhere (answers kept anonymised)"),
        permissions=["erase"],
    )
    def erase_people(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> HttpResponse | None:
        if request.POST.get("confirmed") != "yes":
            addresses = sorted({normalized_address(contact.email) for contact in queryset})
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase these people?"),
                "opts": self.model._meta,
                "people": [(address, personal_data.summary(address)) for address in addresses],
                "contacts": list(queryset),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/ops/erase_people_confirmation.html", context)
        erased = personal_data.erase_people_of(queryset)
        self.message_user(
            request,
            ngettext(
                "Erased the personal data of %(count)d person.",
                "Erased the personal data of %(count)d people.",
                erased,
            )
            % {"count": erased},
            messages.SUCCESS,
        )
        return None


admin.site.unregister(Contact)
admin.site.register(Contact, ContactAdminWithErasure)
