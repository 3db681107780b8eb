"""API representations of survey responses and invitations (read-only).

The response representation is also the `response` of each outbound webhook
(surveys/webhooks.py), so an API reader and a webhook receiver parse one shape.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lifecycle.lib.api import RecordRefSerializer
from surveys import scoring
from surveys.models import Invitation, Response
from surveys.scoring import Band


class ResponseSerializer(serializers.ModelSerializer):
    """One answer to a survey: from an email link, or imported history."""

    # Reads need responses_for_api() (select_related) to stay at a fixed number of queries.

    survey = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    band = serializers.SerializerMethodField(
        help_text=_("low, neutral or high on the kind's scale (detractor/passive/promoter).")
    )
    # Null for an anonymised answer (the person's data erased, docs/security.md).
    contact = RecordRefSerializer(read_only=True, allow_null=True)
    account = RecordRefSerializer(read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "survey",
            "kind",
            "score",
            "band",
            "comment",
            "language",
            "source",
            "contact",
            "account",
            "invitation",
            "submitted_at",
            "updated_at",
            "external_id",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Band.choices, read_only=True))
    def get_band(self, response: Response) -> str:
        return scoring.band(response.kind, response.score).value


def responses_for_api() -> QuerySet[Response]:
    return Response.objects.select_related("survey", "contact", "account")


class MessageStatusSerializer(serializers.Serializer):
    """Where the email carrying an invitation (or its reminder) is in the outbox."""

    status = serializers.CharField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)


class InvitationSerializer(serializers.ModelSerializer):
    """A contact asked to answer a survey. The link's token is never shown: it answers."""

    # Reads need invitations_for_api() for `response` and the related rows.

    survey = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    contact = RecordRefSerializer(read_only=True, allow_null=True)  # None once erased
    account = RecordRefSerializer(read_only=True)
    delivery = MessageStatusSerializer(
        source="message",
        read_only=True,
        allow_null=True,
        help_text=_("The invitation email's status and when it was sent; null if none."),
    )
    reminder = MessageStatusSerializer(read_only=True, allow_null=True)
    reminded = serializers.SerializerMethodField(help_text=_("A reminder email was sent."))
    answered = serializers.SerializerMethodField()
    response = serializers.IntegerField(
        source="response_pk", read_only=True, allow_null=True, help_text=_("The response's id.")
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "survey",
            "contact",
            "account",
            "language",
            "created_at",
            "expires_at",
            "delivery",
            "reminder",
            "reminded",
            "answered",
            "response",
        ]
        read_only_fields = fields

    def get_reminded(self, invitation: Invitation) -> bool:
        return invitation.reminder is not None and invitation.reminder.sent_at is not None

    def get_answered(self, invitation: Invitation) -> bool:
        return invitation.response_pk is not None


def invitations_for_api() -> QuerySet[Invitation]:
    answer = Response.objects.filter(invitation=OuterRef("pk")).values("pk")[:1]
    return Invitation.objects.select_related(
        "survey", "contact", "account", "message", "reminder"
    ).annotate(response_pk=Subquery(answer))
