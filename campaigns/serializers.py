"""API representations of events: what a caller posts, and what we stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Contact
from accounts.validation import validate_plain_text
from campaigns.models import Event
from lifecycle.lib.api import RecordRefSerializer

# Clocks differ a little between systems; an event further ahead than this is a mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class EventSerializer(serializers.ModelSerializer):
    """Something that happened to a contact; it may have queued campaign emails."""

    contact = RecordRefSerializer(read_only=True)

    class Meta:
        model = Event
        fields = ["id", "type", "contact", "occurred_at", "external_id", "data", "created_at"]
        read_only_fields = fields


class EventInputSerializer(serializers.Serializer):
    """The body of POST /api/v1/events/: the contact by id or by external ID, not both."""

    type = serializers.SlugField(
        max_length=50, help_text=_("The event's kind, for example ticket_closed.")
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, help_text=_("The contact's id.")
    )
    contact_external_id = serializers.CharField(
        max_length=100, required=False, help_text=_("The contact's external ID in your CRM.")
    )
    occurred_at = serializers.DateTimeField(
        required=False, help_text=_("When it happened (ISO 8601); now when left out.")
    )
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        validators=[validate_plain_text],  # the model field's rule
        help_text=_("Your id for the event: a retried call with it records the event once."),
    )
    data = serializers.JSONField(
        required=False, help_text=_("Any JSON object kept with the event, such as a ticket id.")
    )

    def validate_data(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Must be a JSON object."))
        # PostgreSQL's jsonb refuses the NUL character; say so instead of failing with a 500.
        if "\\u0000" in json.dumps(value):
            raise serializers.ValidationError(_("Must not contain NUL characters."))
        return value

    def validate_occurred_at(self, value: dt.datetime) -> dt.datetime:
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError(_("Must not be in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        external_id = attrs.pop("contact_external_id", None)
        if ("contact" in attrs) == (external_id is not None):
            raise serializers.ValidationError(
                {"contact": [_("Give either contact or contact_external_id, not both.")]}
                if external_id is not None
                else {"contact": [_("Give contact or contact_external_id.")]}
            )
        if external_id is not None:
            attrs["contact"] = self._contact_by_external_id(external_id)
        return attrs

    def _contact_by_external_id(self, external_id: str) -> Contact:
        contact = Contact.objects.filter(external_id=external_id).first()
        if contact is None:
            raise serializers.ValidationError(
                {"contact_external_id": [_("No contact has this external ID.")]}
            )
        return contact
