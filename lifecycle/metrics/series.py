"""The period metrics bucket by bucket, for charts, in two queries for all buckets.

The per-account scan takes the MRR at every bucket boundary at once; each bucket's keys are
then aggregated between its two boundaries. The survey answers are grouped by bucket in a
second query. The churn split by cancel type is left to `period_metrics` (it needs a
subquery per bucket), and so is the survey response rate (it counts invitations).
"""

from __future__ import annotations

from typing import Any

from lifecycle.metrics.periods import Period, buckets
from lifecycle.metrics.queries import Segment, movement_aggregates, per_account, present_totals
from lifecycle.metrics.survey_metrics import survey_series


def metric_series(
    period: Period, granularity: str = "month", segment: Segment | None = None
) -> list[dict[str, Any]]:
    parts = buckets(period, granularity)
    boundaries = [parts[0].day_before_start] + [part.last_day for part in parts]
    rows = per_account(segment or Segment(), **{f"m{i}": day for i, day in enumerate(boundaries)})
    aggregates = {
        f"b{i}_{key}": expression
        for i, part in enumerate(parts)
        for key, expression in movement_aggregates(
            f"m{i}", f"m{i + 1}", part, churn_types=False
        ).items()
    }
    totals = rows.aggregate(**aggregates)
    surveys = survey_series(period, granularity, segment or Segment())
    return [
        {
            **present_totals(
                part,
                {
                    key.split("_", 1)[1]: value
                    for key, value in totals.items()
                    if key.startswith(f"b{i}_")
                },
            ),
            **surveys[i],
        }
        for i, part in enumerate(parts)
    ]
