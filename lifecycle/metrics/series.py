"""The period metrics bucket by bucket, for charts, in two queries for all buckets.

An account's MRR changes only on the days a paying subscription starts or ends, so the
movements of a bucket come from the accounts with such a day in it, not from every account:
one query lists each account's changes per bucket (plus its MRR at the start of the range),
a running sum per account (a window function) turns them into its MRR at both ends of each
bucket, and the buckets' movements are summed from those rows. The counts and MRR at the
ends then follow bucket after bucket from the identities of docs/metrics.md. The cost grows with
the number of changes in the range, not with accounts x buckets. Money is summed in integer
cents so that SQLite, which keeps decimals as floating point, stays exact.

The survey answers are grouped by bucket in a second query. The churn split by cancel type
is left to `period_metrics` (it needs a subquery per bucket), and so is the survey response
rate (it counts invitations).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, F, IntegerField, Min, QuerySet, Value
from django.db.models.functions import (
    Cast,
    ExtractIsoYear,
    ExtractMonth,
    ExtractQuarter,
    ExtractWeek,
    ExtractYear,
    Round,
)

from lifecycle.lib.dates import quarter_of
from lifecycle.lib.numbers import money, ratio
from lifecycle.lib.sql import SQL, compiled, fetch_all, with_queries
from lifecycle.metrics.periods import Period, buckets
from lifecycle.metrics.queries import (
    COUNT_KEYS,
    Segment,
    in_cohort,
    present_totals,
    subscriptions_of,
)
from lifecycle.metrics.survey_metrics import survey_series

BEFORE_RANGE = -1  # the bucket key of each account's MRR at range start
CHANGE_KEYS = (  # in the order of the sums of _BUCKET_SUMS after customers and MRR
    "churned_customers",
    "new_customers",
    "reactivated_customers",
    "acquired_customers",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
)
# A bucket's key: an integer that grows with the date (ISO year and week, year and month,
# year and quarter, year). Integers are cheaper to compute and group than truncated dates.
_PART_OF_YEAR = {"week": ExtractWeek, "month": ExtractMonth, "quarter": ExtractQuarter}


def bucket_key(day: dt.date, granularity: str) -> int:
    """The key `_bucket_key_sql` gives in the database for `day`."""
    if granularity == "week":
        year, week, _weekday = day.isocalendar()
        return year * 100 + week
    part = {"month": day.month, "quarter": quarter_of(day), "year": 0}[granularity]
    return day.year * 100 + part


def _bucket_key_sql(field: str, granularity: str) -> Any:
    year = ExtractIsoYear(field) if granularity == "week" else ExtractYear(field)
    key = year * 100 if granularity == "year" else year * 100 + _PART_OF_YEAR[granularity](field)
    return Cast(key, IntegerField())  # PostgreSQL extracts numerics


def _cents(field: str) -> Cast:
    return Cast(Round(F(field) * 100), BigIntegerField())


def _changes(period: Period, granularity: str, segment: Segment) -> QuerySet:
    """Each paying subscription's MRR (cents) as a change of its account's MRR in the bucket
    where it starts, and negated in the bucket where it ends; those active at the close of
    the day before the range as changes in bucket BEFORE_RANGE."""
    paying = subscriptions_of(segment).filter(mrr__gt=0)

    def in_range(day: str, sign: int) -> QuerySet:
        return paying.filter(**{f"{day}__gte": period.start, f"{day}__lt": period.end}).values(
            "account_id", bucket=_bucket_key_sql(day, granularity), change=_cents("mrr") * sign
        )

    # Active at the close of the day before: started before the range, ends in it or later.
    at_start = (
        paying.filter(started_on__lt=period.start)
        .exclude(ended_on__lt=period.start)
        .values("account_id", bucket=Value(BEFORE_RANGE), change=_cents("mrr"))
    )
    return at_start.union(in_range("started_on", 1), in_range("ended_on", -1), all=True)


def _first_days(granularity: str, segment: Segment) -> QuerySet:
    """Each account's first customer day and the key of the bucket holding it."""
    rows = (
        subscriptions_of(segment)
        .filter(mrr__gt=0)
        .values("account_id")
        .annotate(first_day=Min("started_on"))
        .annotate(first_bucket=_bucket_key_sql("first_day", granularity))
    )
    return in_cohort(rows, segment)


# Common table expressions over `changes` (the rows of `_changes`) and `firsts` (those of
# `_first_days`). s and e: the account's MRR (cents) at the start and the end of the
# bucket. An account joining in a bucket is new when its first customer day is in the
# bucket and in the range (the two parameters of `_MARKED`).
_MOVED = """
    SELECT account_id, bucket, CAST(SUM(change) AS BIGINT) AS change
    FROM changes GROUP BY account_id, bucket
"""
_LEVELS = """
    SELECT m.bucket, f.first_day, f.first_bucket, m.change,
        CAST(SUM(m.change) OVER (
            PARTITION BY m.account_id ORDER BY m.bucket ROWS UNBOUNDED PRECEDING
        ) AS BIGINT) AS e
    FROM moved m INNER JOIN firsts f ON f.account_id = m.account_id
"""
_MARKED = """
    SELECT bucket, e - change AS s, e,
        CASE WHEN first_bucket = bucket AND first_day >= %s AND first_day < %s
            THEN 1 ELSE 0 END AS first_here
    FROM levels
"""
_BUCKET_SUMS = """
SELECT bucket,
    SUM(CASE WHEN e > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN e > 0 THEN e ELSE 0 END),
    SUM(CASE WHEN s > 0 AND e <= 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN s <= 0 AND e > 0 AND first_here = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN s <= 0 AND e > 0 AND first_here = 0 THEN 1 ELSE 0 END),
    SUM(first_here),
    SUM(CASE WHEN s <= 0 AND e > 0 AND first_here = 1 THEN e ELSE 0 END),
    SUM(CASE WHEN s <= 0 AND e > 0 AND first_here = 0 THEN e ELSE 0 END),
    SUM(CASE WHEN s > 0 AND e > s THEN e - s ELSE 0 END),
    SUM(CASE WHEN s > e AND e > 0 THEN s - e ELSE 0 END),
    SUM(CASE WHEN s > 0 AND e <= 0 THEN s ELSE 0 END)
FROM marked
GROUP BY bucket
"""


def _bucket_sums(period: Period, granularity: str, segment: Segment) -> dict[int, list[int]]:
    """Per bucket label: [customers, MRR] for BEFORE_RANGE, else the CHANGE_KEYS sums."""
    changed, firsts = _changes(period, granularity, segment), _first_days(granularity, segment)
    ctes = [
        ("changes (account_id, bucket, change)", compiled(changed)),
        ("firsts (account_id, first_day, first_bucket)", compiled(firsts)),
        ("moved", SQL(_MOVED)),
        ("levels", SQL(_LEVELS)),
        ("marked", SQL(_MARKED, (period.start, period.end))),
    ]
    found = {}
    for bucket, customers, cents, *changes in fetch_all(with_queries(ctes, SQL(_BUCKET_SUMS))):
        # PostgreSQL sums bigints as numeric: back to int.
        key = int(bucket)
        found[key] = [int(v) for v in ([customers, cents] if key == BEFORE_RANGE else changes)]
    return found


def metric_series(
    period: Period, granularity: str = "month", segment: Segment | None = None
) -> list[dict[str, Any]]:
    segment = segment or Segment()
    sums = _bucket_sums(period, granularity, segment)
    customers, cents = sums.get(BEFORE_RANGE, [0, 0])
    surveys = survey_series(period, granularity, segment)
    series = []
    for i, part in enumerate(buckets(period, granularity)):
        changes = sums.get(bucket_key(part.start, granularity), [0] * len(CHANGE_KEYS))
        totals = _bucket_totals(customers, cents, dict(zip(CHANGE_KEYS, changes, strict=True)))
        customers, cents = totals["customers_end"], totals["mrr_end"]
        amounts = {
            key: value if key in COUNT_KEYS else Decimal(value).scaleb(-2)
            for key, value in totals.items()
        }
        series.append({**present_totals(part, amounts), **surveys[i]})
    return series


def _bucket_totals(customers: int, cents: int, changes: dict[str, int]) -> dict[str, int]:
    """One bucket's keys (money in cents) from the state at its start and its changes, by
    the identities of docs/metrics.md: the end is the start less churn plus new and reactivated,
    plus expansion less contraction for MRR."""
    c = changes
    gained = c["new_mrr"] + c["reactivation_mrr"] + c["expansion_mrr"]
    lost = c["contraction_mrr"] + c["churned_mrr"]
    return {  # the order of `movement_aggregates`, which the CSV columns follow
        "customers_start": customers,
        "customers_end": customers
        - c["churned_customers"]
        + c["new_customers"]
        + c["reactivated_customers"],
        "retained_customers": customers - c["churned_customers"],
        "churned_customers": c["churned_customers"],
        "new_customers": c["new_customers"],
        "reactivated_customers": c["reactivated_customers"],
        "acquired_customers": c["acquired_customers"],
        "mrr_start": cents,
        "mrr_end": cents + gained - lost,
        "new_mrr": c["new_mrr"],
        "reactivation_mrr": c["reactivation_mrr"],
        "expansion_mrr": c["expansion_mrr"],
        "contraction_mrr": c["contraction_mrr"],
        "churned_mrr": c["churned_mrr"],
    }


# The summed movements of docs/metrics.md: the period's month pieces, added up.
SUMMED_MONEY = ("new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr")
SUMMED_COUNTS = ("new_customers", "reactivated_customers", "churned_customers")
SUMMED_KEYS = frozenset(f"summed_{key}" for key in SUMMED_MONEY + SUMMED_COUNTS)


def summed_movements(
    period: Period, segment: Segment | None = None, *, with_monthly_churn: bool = False
) -> dict[str, Any]:
    """The period's movements read as the sum of its months (docs/metrics.md, "Summed
    movements"): one query, the monthly series' own sums. `with_monthly_churn` adds the
    dashboard's `monthly_revenue_churn_rate` (not a key of `metrics --json`)."""
    sums = _bucket_sums(period, "month", segment or Segment())
    totals = dict.fromkeys(CHANGE_KEYS, 0)
    # Each month's MRR at start follows from the one before (the identities of
    # docs/metrics.md): their sum is what the monthly revenue churn divides by.
    start_cents = sums.get(BEFORE_RANGE, [0, 0])[1]
    summed_start = 0
    for part in buckets(period, "month"):
        changes = dict(
            zip(CHANGE_KEYS, sums.get(bucket_key(part.start, "month"), [0] * 9), strict=True)
        )
        summed_start += start_cents
        start_cents = _bucket_totals(0, start_cents, changes)["mrr_end"]
        for key in CHANGE_KEYS:
            totals[key] += changes[key]
    found = {
        **{f"summed_{key}": money(Decimal(totals[key]).scaleb(-2)) for key in SUMMED_MONEY},
        **{f"summed_{key}": totals[key] for key in SUMMED_COUNTS},
    }
    if with_monthly_churn:
        lost = totals["contraction_mrr"] + totals["churned_mrr"]
        found["monthly_revenue_churn_rate"] = ratio(lost, summed_start)
    return found
