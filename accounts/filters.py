"""Account filters shared by the staff list page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES
from accounts.models import Account, AccountStatus, Contact, Subscription
from lifecycle.lib.display import person
from lifecycle.lib.filters import BoundedDateFilter, StrictBooleanFilter


def industry_choices() -> list[tuple[str, str]]:
    industries = (
        Account.objects.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
    return [(name, name) for name in industries]


def owner_queryset(request: object) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(owned_accounts__isnull=False)
        .distinct()
        .order_by("username")
    )


class OwnerChoiceField(forms.ModelChoiceField):
    """Owners by name, as the tables show them ("David Kim", not "david.kim")."""

    def label_from_instance(self, obj: object) -> str:
        return person(obj)


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerChoiceField


class AccountFilter(django_filters.FilterSet):
    """Expects a queryset annotated by `Account.objects.with_status()`."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=industry_choices)
    band = django_filters.ChoiceFilter(
        label=_("Employees"), choices=EMPLOYEE_BAND_CHOICES, method="filter_band"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AccountStatus.choices)
    owner = OwnerFilter(label=_("Owner"), queryset=owner_queryset)
    country = django_filters.CharFilter(label=_("Country"), lookup_expr="iexact")
    referenceable = StrictBooleanFilter(
        label=_("Referenceable"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Account
        fields = ["q", "industry", "band", "status", "owner", "country", "referenceable"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(external_id__iexact=value)
            | Q(contacts__email__icontains=value)
        ).distinct()

    def filter_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_employee_band(value)


class ContactFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(lookup_expr="iexact")
    is_primary = StrictBooleanFilter()
    email_consent = StrictBooleanFilter()

    class Meta:
        model = Contact
        fields = ["account", "email", "language", "is_primary", "email_consent"]


class SubscriptionFilter(django_filters.FilterSet):
    active_on = BoundedDateFilter(label=_("Active on"), method="filter_active_on")

    class Meta:
        model = Subscription
        fields = ["account", "plan", "cancel_type", "active_on"]

    def filter_active_on(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset.active_on(value)
