from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from lifecycle.outbox.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the outbox records what was sent; nobody writes into it by hand

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
