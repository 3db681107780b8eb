"""Filters of the staff survey pages: responses by survey, band, period and account segment,
follow-up items by status, reason and assignee."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES, MRR_BAND_CHOICES, MRR_BANDS
from accounts.filters import OwnerFilter, industry_choices, owner_queryset
from accounts.models import Account
from lifecycle.lib.dates import day_start
from lifecycle.lib.filters import BoundedDateFilter, StrictBooleanFilter
from lifecycle.staff.roles import ROLES
from surveys.models import FollowUp, FollowUpReason, FollowUpStatus, Response, Survey
from surveys.scoring import Band

ANY = _("All")
YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def country_choices() -> list[tuple[str, str]]:
    countries = Account.objects.exclude(country="").order_by("country")
    return [(c, c) for c in countries.values_list("country", flat=True).distinct()]


def staff_with_role() -> QuerySet:
    """Who may be given a follow-up item: active users holding one of the staff roles."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=ROLES)
        .distinct()
        .order_by("username")
    )


class IdFilter(django_filters.Filter):
    """A row id from the URL (the account page's "All answers" link); bounded, so a huge
    number is a form error rather than a database error."""

    field_class = forms.IntegerField


class PeriodForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start (it is not included)."))
            data.pop("end", None)
        return data


class ResponseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    survey = django_filters.ModelChoiceFilter(
        label=_("Survey"), empty_label=ANY, queryset=Survey.objects.order_by("name")
    )
    band = django_filters.ChoiceFilter(
        label=_("Score"), empty_label=ANY, choices=Band.choices, method="filter_band"
    )
    start = BoundedDateFilter(label=_("From"), method="filter_start", widget=DATE_INPUT)
    end = BoundedDateFilter(label=_("Until (exclusive)"), method="filter_end", widget=DATE_INPUT)
    has_comment = StrictBooleanFilter(
        label=_("With comment"), method="filter_has_comment", widget=forms.Select(choices=YES_NO)
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"),
        empty_label=ANY,
        choices=industry_choices,
        field_name="account__industry",
    )
    employees = django_filters.ChoiceFilter(
        label=_("Employees"),
        empty_label=ANY,
        choices=EMPLOYEE_BAND_CHOICES,
        method="filter_employees",
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), empty_label=ANY, choices=country_choices, field_name="account__country"
    )
    owner = OwnerFilter(
        label=_("Owner"), empty_label=ANY, queryset=owner_queryset, field_name="account__owner"
    )
    mrr = django_filters.ChoiceFilter(
        label=_("MRR today"), empty_label=ANY, choices=MRR_BAND_CHOICES, method="filter_mrr"
    )
    account = IdFilter(
        field_name="account",
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Response
        form = PeriodForm
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(contact__email__icontains=value) | Q(account__name__icontains=value)
        )

    def filter_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_band(value)

    def filter_start(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(submitted_at__gte=day_start(value))

    def filter_end(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(submitted_at__lt=day_start(value))

    def filter_has_comment(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(comment="") if value else queryset.filter(comment="")

    def filter_employees(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(account__in=Account.objects.in_employee_band(value))

    def filter_mrr(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        _key, _label, low, high = next(band for band in MRR_BANDS if band[0] == value)
        accounts = Account.objects.with_mrr_on(timezone.localdate()).filter(mrr__gte=low)
        if high is not None:
            accounts = accounts.filter(mrr__lt=high)
        return queryset.filter(account__in=accounts.values("pk"))


MINE = "mine"
NOBODY = "none"
ALL = "all"


def assignee_choices(request: Any) -> list[tuple[str, str]]:
    people = [(str(user.pk), user.get_full_name() or user.username) for user in staff_with_role()]
    return [(MINE, _("Assigned to me")), (NOBODY, _("Unassigned")), *people]


class FollowUpFilter(django_filters.FilterSet):
    """Open items unless the status says otherwise: the list is a to-do list."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*FollowUpStatus.choices, (ALL, _("All"))],
        empty_label=None,
        method="filter_status",
    )
    reason = django_filters.ChoiceFilter(
        label=_("Reason"), empty_label=ANY, choices=FollowUpReason.choices, method="filter_reason"
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assignee"), empty_label=ANY, choices=[], method="filter_assignee"
    )

    class Meta:
        model = FollowUp
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if data.get("status") not in {*FollowUpStatus.values, ALL}:
            data["status"] = FollowUpStatus.OPEN
        super().__init__(data, *args, **kwargs)
        self.filters["assignee"].extra["choices"] = assignee_choices(self.request)

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == ALL else queryset.filter(status=value)

    def filter_reason(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_reason(value)  # an item listing it among its reasons

    def filter_assignee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == MINE:
            return queryset.filter(assignee=self.request.user)
        if value == NOBODY:
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value))
