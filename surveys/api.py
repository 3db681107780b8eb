"""Read-only REST endpoints for survey responses and invitations.

Answers arrive only through the contacts' own links (or the CSV import), so the API reads.
Permissions are the global RoleModelPermissions: Viewer and up read.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from lifecycle.lib.api import ReadOnlyViewSet
from surveys.api_filters import InvitationFilter, ResponseFilter
from surveys.models import Invitation, Response
from surveys.serializers import (
    InvitationSerializer,
    ResponseSerializer,
    invitations_for_api,
    responses_for_api,
)


@extend_schema_view(
    list=extend_schema(summary="List survey responses, newest first"),
    retrieve=extend_schema(summary="One survey response"),
)
@extend_schema(tags=["surveys"])
class ResponseViewSet(ReadOnlyViewSet):
    queryset = Response.objects.all()
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
    ordering_fields = ["submitted_at", "updated_at", "score"]

    def get_queryset(self) -> QuerySet[Response]:
        return responses_for_api()


@extend_schema_view(
    list=extend_schema(summary="List survey invitations, newest first"),
    retrieve=extend_schema(summary="One survey invitation"),
)
@extend_schema(tags=["surveys"])
class InvitationViewSet(ReadOnlyViewSet):
    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self) -> QuerySet[Invitation]:
        return invitations_for_api()
