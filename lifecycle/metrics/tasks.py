from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from lifecycle.metrics.snapshots import fill_daily_totals


@shared_task(name="metrics.fill_daily_totals", ignore_result=True)
def fill_daily_totals_task(up_to: str | None = None) -> int:
    """Beat runs this nightly for yesterday, the last day that has closed."""
    last_day = (
        dt.date.fromisoformat(up_to) if up_to else timezone.localdate() - dt.timedelta(days=1)
    )
    return fill_daily_totals(up_to=last_day)
