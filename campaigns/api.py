"""REST endpoint for events: POST one (it may queue campaign emails), list and read them.

Posting needs campaigns.add_event (Marketer, Admin); reading campaigns.view_event (Viewer+).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.models import Event
from campaigns.serializers import EventInputSerializer, EventSerializer
from campaigns.services import record_event
from lifecycle.lib.api import ReadOnlyViewSet
from lifecycle.lib.filters import BoundedIsoDateTimeFilter


class EventFilter(django_filters.FilterSet):
    contact_external_id = django_filters.CharFilter(
        label=_("Contact external ID"), field_name="contact__external_id"
    )
    occurred_after = BoundedIsoDateTimeFilter(
        label=_("Occurred at or after"), field_name="occurred_at", lookup_expr="gte"
    )
    occurred_before = BoundedIsoDateTimeFilter(
        label=_("Occurred before"), field_name="occurred_at", lookup_expr="lt"
    )

    class Meta:
        model = Event
        fields = [
            "type",
            "contact",
            "contact_external_id",
            "external_id",
            "occurred_after",
            "occurred_before",
        ]


@extend_schema_view(
    list=extend_schema(summary="List events, newest first"),
    retrieve=extend_schema(summary="One event"),
)
@extend_schema(tags=["events"])
class EventViewSet(ReadOnlyViewSet):
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ["occurred_at", "created_at"]

    def get_queryset(self) -> QuerySet[Event]:
        return Event.objects.select_related("contact")

    @extend_schema(
        summary="Record an event; it queues the campaigns it triggers",
        description=(
            "A `ticket_closed` event queues the CSAT survey an hour later, unless the contact "
            "unsubscribed from surveys or was surveyed too recently. With `external_id`, a "
            "retried call records nothing more and answers 200 with the stored event."
        ),
        request=EventInputSerializer,
        responses={
            201: EventSerializer,
            200: OpenApiResponse(EventSerializer, description="Seen before (same external_id)."),
        },
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        given = EventInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        event, created = record_event(
            type=data["type"],
            contact=data["contact"],
            occurred_at=data.get("occurred_at") or timezone.now(),
            external_id=data.get("external_id") or None,
            data=data.get("data"),
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(EventSerializer(event).data, status=answer)
