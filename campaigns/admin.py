"""Django admin for campaigns and the outbox of record.

Messages, events and unsubscriptions are records of what happened: read-only here. The one
repair an admin may make is to queue a failed or doubtful message again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import Campaign, Event, Message, Unsubscription
from campaigns.pipeline import queue_again
from campaigns.schedules import ensure_schedule, remove_schedule


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: listed and shown, never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "trigger", "category", "enabled"]
    list_filter = ["enabled", "trigger", "category"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["periodic_task", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "category", "enabled"]}),
        (_("When"), {"fields": ["trigger", "cycle_months", "send_hour", "event_type"]}),
        (_("Delays"), {"fields": ["delay_minutes", "reminder_after_days"]}),
        (_("Record"), {"fields": ["periodic_task", "created_at", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        ensure_schedule(obj)

    def delete_model(self, request: HttpRequest, obj: Campaign) -> None:
        remove_schedule(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            remove_schedule(campaign)
        super().delete_queryset(request, queryset)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "campaign",
        "contact_email",
        "occurrence",
        "status",
        "due_at",
        "sent_at",
        "attempts",
    ]
    list_filter = ["status", "campaign"]
    search_fields = ["contact__email", "recipient", "message_id"]
    list_select_related = ["campaign", "contact"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    actions = ["queue_again"]

    @admin.display(description=_("to"), ordering="contact__email")
    def contact_email(self, message: Message) -> str:
        return message.to

    @admin.action(
        description=_(
            "Queue again (failed or needs review only). Careful: a message that needs "
            "review may already have reached the customer."
        ),
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
