"""The period metrics bucket by bucket, for charts.

One query per bucket computes every key at once (never a query per bucket per metric).
"""

from __future__ import annotations

from typing import Any

from lifecycle.metrics.periods import Period, buckets
from lifecycle.metrics.queries import Segment, period_metrics


def metric_series(
    period: Period, granularity: str = "month", segment: Segment | None = None
) -> list[dict[str, Any]]:
    return [period_metrics(bucket, segment) for bucket in buckets(period, granularity)]
