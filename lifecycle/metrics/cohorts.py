"""Customer cohorts: logo and revenue retention by month of first customer day (docs/metrics.md).

One query computes the whole table. `per_account` picks the accounts whose first customer
day falls in the range; their subscriptions are then grouped by cohort month, read through a
correlated subquery (the earliest start of a subscription with MRR above zero, from the
(account, started_on) index) because the `first_day` aggregate of `per_account` cannot be
grouped on in the same query. Each cohort group counts its customers and sums its MRR at the
close of every month of the range; a customer is an account with an active subscription of
MRR above zero, which is MRR above zero because MRR is never negative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from accounts.models import Subscription, active_on_q, first_customer_day
from lifecycle.lib.dates import add_months, month_last_day, months_between
from lifecycle.lib.display import month_label
from lifecycle.lib.numbers import money, ratio
from lifecycle.metrics.periods import InvalidPeriod
from lifecycle.metrics.queries import ZERO, Segment, per_account

MAX_MONTHS = 36
MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"


def parse_month(value: str) -> dt.date:
    """The first day of a month given as YYYY-MM."""
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError) as exc:
        raise InvalidPeriod(_("Give a month as YYYY-MM.")) from exc


def check_range(start_month: dt.date, end_month: dt.date) -> None:
    """Refuse a range of cohort months that is reversed or too long to show."""
    if end_month < start_month:
        raise InvalidPeriod(_("The last month must not be before the first."))
    if months_between(start_month, end_month) >= MAX_MONTHS:
        raise InvalidPeriod(_("At most %(count)d months at a time.") % {"count": MAX_MONTHS})


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months, the running one included."""
    return add_months(today, -11), add_months(today, 0)


def _months(start_month: dt.date, end_month: dt.date, today: dt.date) -> list[dt.date]:
    """First days of the months shown: the range, cut at the running month."""
    last = min(add_months(end_month, 0), add_months(today, 0))
    count = months_between(start_month, last) + 1
    return [add_months(start_month, offset) for offset in range(max(count, 0))]


def _close(month: dt.date, today: dt.date) -> dt.date:
    """The day whose close is "the close of the month": its last day, or today if running."""
    return min(month_last_day(month), today)


def _grouped(months: list[dt.date], segment: Segment, today: dt.date) -> QuerySet:
    """One row per non-empty cohort: its size, then customers and MRR at each month's close."""
    aggregates: dict[str, Any] = {"size": Count("account", distinct=True)}
    for j, month in enumerate(months):
        active = active_on_q(_close(month, today))
        aggregates[f"logos_{j}"] = Count("account", distinct=True, filter=active & Q(mrr__gt=0))
        aggregates[f"mrr_{j}"] = Coalesce(Sum("mrr", filter=active), ZERO)
    # The segment's accounts of the range come from `per_account`, an uncorrelated subquery;
    # only the cohort label needs the per-row one. The segment's cohort filter is ignored:
    # every cohort of the range is shown.
    members = per_account(replace(segment, cohort_month=None)).filter(
        first_day__range=(months[0], _close(months[-1], today))
    )
    return (
        Subscription.objects.order_by()
        .filter(account__in=members.values("account"))
        .values(cohort=TruncMonth(first_customer_day("account"), output_field=DateField()))
        .annotate(**aggregates)
        .order_by("cohort")
    )


def _cohort(month: dt.date, row: dict[str, Any], offsets: range) -> dict[str, Any]:
    size = row.get("size", 0)
    logos = [row.get(f"logos_{j}", 0) for j in offsets]
    revenue = [Decimal(row.get(f"mrr_{j}", 0)) for j in offsets]
    return {
        "cohort": month.strftime("%Y-%m"),
        "size": size,
        "mrr_first_month": money(revenue[0]),
        "logos": logos,
        "revenue": [money(value) for value in revenue],
        "logo_retention": [ratio(count, size) for count in logos],
        "revenue_retention": [ratio(value, revenue[0]) for value in revenue],
    }


def cohort_table(
    *, start_month: dt.date, end_month: dt.date, segment: Segment, today: dt.date
) -> list[dict[str, Any]]:
    """One dict per cohort month of [start_month, end_month] up to today's month, with a
    value per month offset k = 0, 1, … up to the last month shown. One query."""
    check_range(start_month, end_month)
    months = _months(start_month, end_month, today)
    if not months:
        return []
    rows = {_as_date(row["cohort"]): row for row in _grouped(months, segment, today)}
    return [
        _cohort(month, rows.get(month, {}), range(index, len(months)))
        for index, month in enumerate(months)
    ]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    # Some backends hand back a datetime for a truncated date.
    return value.date() if isinstance(value, dt.datetime) else value


def heatmap(table: list[dict[str, Any]], view: str) -> dict[str, Any]:
    """The table as the page draws it: the chosen rates, padded to a rectangle."""
    key = "revenue_retention" if view == "revenue" else "logo_retention"
    width = max((len(row[key]) for row in table), default=0)
    rows = [{**row, "rates": row[key], "blank": range(width - len(row[key]))} for row in table]
    return {
        "offsets": range(width),
        "rows": rows,
        "average": average_retention(table, view),
        "total_size": sum(row["size"] for row in table),
    }


def average_retention(table: list[dict[str, Any]], view: str) -> list[float | None]:
    """Month k of all cohorts that have reached it, weighted by their size: the customers
    (or MRR) they kept at month k ÷ the customers (or month-0 MRR) they started with
    (docs/metrics.md, "Cohorts"). A big cohort counts for more than a tiny one."""
    width = max((len(row["logos"]) for row in table), default=0)
    average = []
    for k in range(width):
        reached = [row for row in table if len(row["logos"]) > k]
        if view == "revenue":  # a cohort with no MRR in month 0 has no rate to pool
            reached = [row for row in reached if Decimal(row["revenue"][0]) > 0]
            kept = sum(Decimal(row["revenue"][k]) for row in reached)
            base = sum(Decimal(row["revenue"][0]) for row in reached)
        else:
            kept = sum(row["logos"][k] for row in reached)
            base = sum(row["size"] for row in reached)
        average.append(ratio(kept, base))
    return average


def curves(found: dict[str, Any]) -> dict[str, Any]:
    """What static/js/cohorts.js draws: one retention curve per cohort, and the average."""
    return {
        "offsets": list(found["offsets"]),
        "cohorts": [
            {"label": month_label(row["cohort"]), "rates": row["rates"]}
            for row in found["rows"]
            if row["size"]
        ],
        "average": found["average"],
    }


CSV_COLUMNS = [
    "cohort",
    "size",
    "mrr_first_month",
    "month_offset",
    "month",
    "logos",
    "mrr",
    "logo_retention",
    "revenue_retention",
]


def csv_rows(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per cohort and month offset (long format: pivots in any spreadsheet)."""
    return [
        {
            "cohort": row["cohort"],
            "size": row["size"],
            "mrr_first_month": row["mrr_first_month"],
            "month_offset": k,
            "month": add_months(parse_month(row["cohort"]), k).strftime("%Y-%m"),
            "logos": row["logos"][k],
            "mrr": row["revenue"][k],
            "logo_retention": row["logo_retention"][k],
            "revenue_retention": row["revenue_retention"][k],
        }
        for row in table
        for k in range(len(row["logos"]))
    ]
