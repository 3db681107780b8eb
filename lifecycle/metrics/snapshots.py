"""The nightly snapshot of daily totals (customers, MRR), filled idempotently.

Like Zulip's analytics counts: the job is always told the last day to fill, computes whole
batches of days in one query each, and upserts, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Subscription
from lifecycle.metrics.models import DailyTotal
from lifecycle.metrics.queries import ZERO, Segment, per_account

BATCH_DAYS = 31


def first_history_day() -> dt.date | None:
    return Subscription.objects.aggregate(first=Min("started_on"))["first"]


def totals_for_days(days: list[dt.date]) -> list[DailyTotal]:
    """Customers and MRR at the close of each day, in one query."""
    rows = per_account(Segment(), **{f"d{i}": day for i, day in enumerate(days)})
    aggregates = {}
    for i in range(len(days)):
        aggregates[f"c{i}"] = Count("account", filter=Q(**{f"d{i}__gt": 0}))
        aggregates[f"m{i}"] = Coalesce(Sum(f"d{i}"), ZERO)
    totals = rows.aggregate(**aggregates)
    return [
        DailyTotal(day=day, customers=totals[f"c{i}"], mrr=Decimal(totals[f"m{i}"]))
        for i, day in enumerate(days)
    ]


def fill_daily_totals(*, up_to: dt.date) -> int:
    """Write the totals of every day from the first subscription to `up_to`; returns days."""
    start = first_history_day()
    if start is None or start > up_to:
        return 0
    count = (up_to - start).days + 1
    days = [start + dt.timedelta(days=n) for n in range(count)]
    for offset in range(0, count, BATCH_DAYS):
        DailyTotal.objects.bulk_create(
            totals_for_days(days[offset : offset + BATCH_DAYS]),
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["customers", "mrr", "filled_at"],
        )
    DailyTotal.objects.filter(day__lt=start).delete()  # history now starts later
    return count


def daily_totals(start: dt.date, end: dt.date) -> list[dict[str, object]]:
    """The snapshot rows of [start, end), for long charts."""
    rows = DailyTotal.objects.filter(day__gte=start, day__lt=end).values("day", "customers", "mrr")
    return [
        {"day": row["day"].isoformat(), "customers": row["customers"], "mrr": f"{row['mrr']:.2f}"}
        for row in rows
    ]
