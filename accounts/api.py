"""REST endpoints for accounts, contacts and subscriptions: list, retrieve, create, update.

There is no delete: removing a customer record loses revenue history, so it stays an
admin task. Permissions are the global RoleModelPermissions.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

from accounts.filters import AccountFilter, ContactFilter, SubscriptionFilter
from accounts.models import Account, Contact, Subscription
from accounts.serializers import AccountSerializer, ContactSerializer, SubscriptionSerializer
from lifecycle.lib.api import MethodsFirst, StableOrderingFilter

RACE_MESSAGE = _("Another request saved a conflicting record just now; check and try again.")


class RecordViewSet(
    MethodsFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    filter_backends = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._save(serializer)

    def _save(self, serializer: BaseSerializer) -> None:
        # Validation checks every unique rule first; only two requests racing for the same
        # email or external ID can get here, and they deserve a 400, not a 500.
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as exc:
            raise ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [RACE_MESSAGE]}, code="unique"
            ) from exc


@extend_schema_view(
    list=extend_schema(summary="List accounts with today's MRR and status"),
    retrieve=extend_schema(summary="One account with today's MRR and status"),
    create=extend_schema(summary="Create an account"),
    update=extend_schema(summary="Replace an account's fields"),
    partial_update=extend_schema(summary="Change some of an account's fields"),
)
@extend_schema(tags=["accounts"])
class AccountViewSet(RecordViewSet):
    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    # AccountFilter's `q` is the search (shared with the staff list page), so no `search`.
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "mrr", "employees", "first_customer_day", "created_at"]

    def get_queryset(self) -> QuerySet[Account]:
        # Evaluated per request: "today" in status and MRR is the request's day.
        return Account.objects.with_status().with_employee_band().select_related("owner")

    def perform_create(self, serializer: AccountSerializer) -> None:
        super().perform_create(serializer)
        self._reload(serializer)

    def perform_update(self, serializer: AccountSerializer) -> None:
        super().perform_update(serializer)
        self._reload(serializer)

    def _reload(self, serializer: AccountSerializer) -> None:
        # The derived fields come from annotations, which a saved instance lacks or has stale.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


@extend_schema_view(
    list=extend_schema(summary="List contacts"),
    retrieve=extend_schema(summary="One contact"),
    create=extend_schema(summary="Create a contact"),
    update=extend_schema(summary="Replace a contact's fields"),
    partial_update=extend_schema(summary="Change some of a contact's fields"),
)
@extend_schema(tags=["contacts"])
class ContactViewSet(RecordViewSet):
    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    search_fields = ["first_name", "last_name", "email", "=external_id"]
    ordering_fields = ["last_name", "first_name", "email", "created_at"]


@extend_schema_view(
    list=extend_schema(summary="List subscriptions"),
    retrieve=extend_schema(summary="One subscription"),
    create=extend_schema(summary="Create a subscription"),
    update=extend_schema(summary="Replace a subscription's fields"),
    partial_update=extend_schema(summary="Change some of a subscription's fields"),
)
@extend_schema(tags=["subscriptions"])
class SubscriptionViewSet(RecordViewSet):
    queryset = Subscription.objects.all()
    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilter
    search_fields = ["plan", "=external_id"]
    ordering_fields = ["started_on", "ended_on", "mrr", "created_at"]
