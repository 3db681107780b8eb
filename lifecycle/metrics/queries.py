"""Period metrics computed in the database: a fixed number of queries whatever the data size.

One grouped scan of subscriptions gives each account's MRR at start and at end (the close of
the day before the period and of its last day) and its first customer day; an outer
aggregate classifies the accounts and sums the movements (docs/metrics.md).
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
from lifecycle.lib.dates import add_months
from lifecycle.metrics.definitions import present
from lifecycle.metrics.email_metrics import email_metrics
from lifecycle.metrics.periods import Period
from lifecycle.metrics.survey_metrics import survey_metrics

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

    @property
    def filters_anything(self) -> bool:
        return self.filters_accounts or self.cohort_month is not None

    def measured_accounts(self) -> QuerySet[Account]:
        """The accounts every filter keeps, the cohort month included (for facts stored per
        account, such as survey answers, rather than per subscription)."""
        accounts = self.accounts()
        if self.cohort_month is not None:
            accounts = accounts.with_first_customer_day().filter(
                first_customer_day__gte=self.cohort_month,
                first_customer_day__lt=add_months(self.cohort_month, 1),
            )
        return accounts


def subscriptions_of(segment: Segment) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.order_by()
    if segment.filters_accounts:
        subscriptions = subscriptions.filter(account__in=segment.accounts())
    return subscriptions


def per_account(segment: Segment, **mrr_on: dt.date) -> QuerySet:
    """One row per account with subscriptions: MRR on each named day, and first_day."""
    rows = (
        subscriptions_of(segment)
        .values("account")
        .annotate(
            **{
                name: Coalesce(Sum("mrr", filter=active_on_q(day)), ZERO)
                for name, day in mrr_on.items()
            },
            first_day=Min("started_on", filter=Q(mrr__gt=0)),
        )
    )
    return in_cohort(rows, segment)


def in_cohort(rows: QuerySet, segment: Segment) -> QuerySet:
    """The per-account `rows` (annotated with `first_day`) of the segment's cohort month."""
    if segment.cohort_month is None:
        return rows
    return rows.filter(
        first_day__gte=segment.cohort_month, first_day__lt=add_months(segment.cohort_month, 1)
    )


def _churn_type(period: Period) -> Subquery:
    """The cancel type of the account's subscription that ended last in the period
    (ties: the larger MRR): the type a churned account takes (docs/metrics.md)."""
    latest_ended = (
        Subscription.objects.filter(
            account=OuterRef("account"), ended_on__gte=period.start, ended_on__lt=period.end
        )
        .order_by("-ended_on", "-mrr", "-pk")
        .values("cancel_type")[:1]
    )
    return Subquery(latest_ended)


def account_groups(s: str, e: str, period: Period, churn_type: str) -> dict[str, Q]:
    """Accounts by their state at start (field `s`) and end (field `e`) of `period`; the
    churned ones also by their type (field `churn_type`)."""
    at_start, at_end = Q(**{f"{s}__gt": 0}), Q(**{f"{e}__gt": 0})
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
        "voluntary": churned & Q(**{churn_type: CancelType.VOLUNTARY}),
        "involuntary": churned & Q(**{churn_type: CancelType.INVOLUNTARY}),
        "unknown": churned
        & (Q(**{f"{churn_type}__isnull": True}) | ~Q(**{f"{churn_type}__in": CancelType.values})),
    }


def movement_aggregates(s: str, e: str, period: Period, churn_type: str) -> dict[str, Any]:
    """The count and MRR keys of docs/metrics.md between MRR fields `s` and `e`, the churn split
    by the type in field `churn_type`."""
    g = account_groups(s, e, period, churn_type)

    def count(group: str) -> Count:
        return Count("account", filter=g[group])

    def total(field: str, group: str) -> Coalesce:
        return Coalesce(Sum(field, filter=g[group], output_field=MONEY), ZERO)

    def retained_gain(high: str, low: str) -> Coalesce:
        gain = Case(
            When(g["retained"] & Q(**{f"{high}__gt": F(low)}), then=F(high) - F(low)),
            default=ZERO,
            output_field=MONEY,
        )
        return Coalesce(Sum(gain), ZERO)

    aggregates = {
        "customers_start": count("start"),
        "customers_end": count("end"),
        "retained_customers": count("retained"),
        "churned_customers": count("churned"),
        "new_customers": count("new"),
        "reactivated_customers": count("reactivated"),
        "acquired_customers": count("acquired"),
        "mrr_start": total(s, "start"),
        "mrr_end": total(e, "end"),
        "new_mrr": total(e, "new"),
        "reactivation_mrr": total(e, "reactivated"),
        "expansion_mrr": retained_gain(e, s),
        "contraction_mrr": retained_gain(s, e),
        "churned_mrr": total(s, "churned"),
    }
    for kind in ("voluntary", "involuntary", "unknown"):
        aggregates[f"churned_customers_{kind}"] = count(kind)
        aggregates[f"churned_mrr_{kind}"] = total(s, kind)
    return aggregates


def present_totals(period: Period, totals: dict[str, Any]) -> dict[str, Any]:
    counts = {key: value for key, value in totals.items() if key in COUNT_KEYS}
    mrr = {key: Decimal(value) for key, value in totals.items() if key not in COUNT_KEYS}
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        **present(counts, mrr),
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


def revenue_metrics_of(periods: list[Period], segment: Segment | None = None) -> list[dict]:
    """Every customer and revenue key of docs/metrics.md for each period, in one query: one scan
    of the subscriptions serves them all (the dashboards compare a period with the one
    before)."""
    days = sorted({day for p in periods for day in (p.day_before_start, p.last_day)})
    field = {day: f"mrr_{i}" for i, day in enumerate(days)}
    rows = per_account(segment or Segment(), **{name: day for day, name in field.items()})
    aggregates = {}
    for i, period in enumerate(periods):
        s, e = field[period.day_before_start], field[period.last_day]
        # Only churned accounts need a type: skip the subquery for everyone else.
        churned = Q(**{f"{s}__gt": 0}) & Q(**{e: 0})
        rows = rows.annotate(**{f"churn_type_{i}": Case(When(churned, then=_churn_type(period)))})
        for key, expression in movement_aggregates(s, e, period, f"churn_type_{i}").items():
            aggregates[f"p{i}_{key}"] = expression
    totals = rows.aggregate(**aggregates)
    return [
        present_totals(
            period,
            {
                key.split("_", 1)[1]: value
                for key, value in totals.items()
                if key.startswith(f"p{i}_")
            },
        )
        for i, period in enumerate(periods)
    ]


def revenue_metrics(period: Period, segment: Segment | None = None) -> dict[str, Any]:
    """Every customer and revenue key of docs/metrics.md for the period, in one query."""
    return revenue_metrics_of([period], segment)[0]


def period_metrics(period: Period, segment: Segment | None = None) -> dict[str, Any]:
    """Every key of docs/metrics.md for the period: customers and revenue in one query, the
    summed movements in one more, survey answers, the survey response rate and email
    engagement in one each."""
    from lifecycle.metrics.series import summed_movements  # the series builds on this module

    segment = segment or Segment()
    return {
        **revenue_metrics(period, segment),
        **summed_movements(period, segment),
        **survey_metrics(period, segment),
        **email_metrics(period, segment),
    }
