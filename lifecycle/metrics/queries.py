"""Period metrics computed in the database: a fixed number of queries whatever the data size.

One grouped scan of subscriptions gives each account's MRR at start and at end (the close of
the day before the period and of its last day) and its first customer day; an outer
aggregate classifies the accounts and sums the movements (METRICS.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Account, CancelType, Subscription, active_on_q
from lifecycle.metrics.definitions import present
from lifecycle.metrics.periods import Period

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Segment:
    """Optional filters on the accounts measured; empty fields filter nothing."""

    industry: str = ""
    employee_band: str = ""
    country: str = ""
    owner_id: int | None = None
    cohort_month: dt.date | None = None  # first day of the month of first customer day

    def accounts(self) -> QuerySet[Account]:
        accounts = Account.objects.all()
        if self.industry:
            accounts = accounts.filter(industry=self.industry)
        if self.employee_band:
            accounts = accounts.in_employee_band(self.employee_band)
        if self.country:
            accounts = accounts.filter(country=self.country)
        if self.owner_id is not None:
            accounts = accounts.filter(owner_id=self.owner_id)
        return accounts

    @property
    def filters_accounts(self) -> bool:
        return bool(self.industry or self.employee_band or self.country or self.owner_id)


def per_account(period: Period, segment: Segment) -> QuerySet:
    """One row per account with subscriptions: mrr_s, mrr_e, first_day, churn_type."""
    subscriptions = Subscription.objects.all()
    if segment.filters_accounts:
        subscriptions = subscriptions.filter(account__in=segment.accounts())
    latest_ended = (
        Subscription.objects.filter(
            account=OuterRef("account"), ended_on__gte=period.start, ended_on__lt=period.end
        )
        .order_by("-ended_on", "-mrr", "-pk")
        .values("cancel_type")[:1]
    )
    rows = (
        subscriptions.order_by()
        .values("account")
        .annotate(
            mrr_s=Coalesce(Sum("mrr", filter=active_on_q(period.day_before_start)), ZERO),
            mrr_e=Coalesce(Sum("mrr", filter=active_on_q(period.last_day)), ZERO),
            first_day=Min("started_on", filter=Q(mrr__gt=0)),
            churn_type=Subquery(latest_ended),
        )
    )
    if segment.cohort_month is not None:
        next_month = (segment.cohort_month + dt.timedelta(days=32)).replace(day=1)
        rows = rows.filter(first_day__gte=segment.cohort_month, first_day__lt=next_month)
    return rows


def _groups(period: Period) -> dict[str, Q]:
    at_start, at_end = Q(mrr_s__gt=0), Q(mrr_e__gt=0)
    joined = at_end & ~at_start
    churned = at_start & ~at_end
    return {
        "start": at_start,
        "end": at_end,
        "retained": at_start & at_end,
        "churned": churned,
        "new": joined & Q(first_day__gte=period.start),
        "reactivated": joined & Q(first_day__lt=period.start),
        "acquired": Q(first_day__gte=period.start, first_day__lt=period.end),
        "voluntary": churned & Q(churn_type=CancelType.VOLUNTARY),
        "involuntary": churned & Q(churn_type=CancelType.INVOLUNTARY),
        "unknown": churned & (Q(churn_type__isnull=True) | ~Q(churn_type__in=CancelType.values)),
    }


def _aggregates(period: Period) -> dict[str, Any]:
    g = _groups(period)

    def total(field: str, group: str) -> Coalesce:
        return Coalesce(Sum(field, filter=g[group], output_field=MONEY), ZERO)

    def positive(expression: Any) -> Case:
        return Case(When(g["retained"], then=expression), default=ZERO, output_field=MONEY)

    return {
        "customers_start": Count("account", filter=g["start"]),
        "customers_end": Count("account", filter=g["end"]),
        "retained_customers": Count("account", filter=g["retained"]),
        "churned_customers": Count("account", filter=g["churned"]),
        "new_customers": Count("account", filter=g["new"]),
        "reactivated_customers": Count("account", filter=g["reactivated"]),
        "acquired_customers": Count("account", filter=g["acquired"]),
        "churned_customers_voluntary": Count("account", filter=g["voluntary"]),
        "churned_customers_involuntary": Count("account", filter=g["involuntary"]),
        "churned_customers_unknown": Count("account", filter=g["unknown"]),
        "mrr_start": total("mrr_s", "start"),
        "mrr_end": total("mrr_e", "end"),
        "new_mrr": total("mrr_e", "new"),
        "reactivation_mrr": total("mrr_e", "reactivated"),
        "expansion_mrr": Coalesce(
            Sum(
                positive(
                    Case(When(mrr_e__gt=F("mrr_s"), then=F("mrr_e") - F("mrr_s")), default=ZERO)
                )
            ),
            ZERO,
        ),
        "contraction_mrr": Coalesce(
            Sum(
                positive(
                    Case(When(mrr_s__gt=F("mrr_e"), then=F("mrr_s") - F("mrr_e")), default=ZERO)
                )
            ),
            ZERO,
        ),
        "churned_mrr": total("mrr_s", "churned"),
        "churned_mrr_voluntary": total("mrr_s", "voluntary"),
        "churned_mrr_involuntary": total("mrr_s", "involuntary"),
        "churned_mrr_unknown": total("mrr_s", "unknown"),
    }


COUNT_KEYS = (
    "customers_start",
    "customers_end",
    "retained_customers",
    "churned_customers",
    "new_customers",
    "reactivated_customers",
    "acquired_customers",
    "churned_customers_voluntary",
    "churned_customers_involuntary",
    "churned_customers_unknown",
)


def period_metrics(period: Period, segment: Segment | None = None) -> dict[str, Any]:
    """Every customer and revenue key of METRICS.md for the period, in one query."""
    totals = per_account(period, segment or Segment()).aggregate(**_aggregates(period))
    counts = {key: totals[key] for key in COUNT_KEYS}
    mrr = {key: Decimal(value) for key, value in totals.items() if key not in COUNT_KEYS}
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        **present(counts, mrr),
    }
