"""REST plumbing every app's API uses: stable ordering, 405 before 403, read-only sets, 404s."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView


class StableOrderingFilter(OrderingFilter):
    """Ends every ordering with the primary key so that pages never repeat or skip rows."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return ordering


class MethodsFirst:
    """Answers 405 for a method the view lacks before checking permissions, so every role
    gets the same answer (otherwise a Viewer would get 403 for DELETE and an Admin 405)."""

    def check_permissions(self, request: Request) -> None:
        if not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)  # type: ignore[misc]


class ReadOnlyViewSet(
    MethodsFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]


class RecordRefSerializer(serializers.Serializer):
    """A contact or account named both ways: our id and the CRM's external ID."""

    id = serializers.IntegerField(read_only=True)
    external_id = serializers.CharField(read_only=True, allow_null=True)


API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 (handler404): under /api/ the API's own JSON body, as every API answer
    is JSON (/api/v1/accounts/1.5/ matches no route); elsewhere Django's page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
