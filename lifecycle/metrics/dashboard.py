"""What the overview dashboard shows, assembled from the metric queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lifecycle.metrics.definitions import DEFINITIONS
from lifecycle.metrics.periods import Period, chart_period, previous_period
from lifecycle.metrics.queries import Segment, period_metrics
from lifecycle.metrics.series import metric_series

HEADLINE = [
    ("customers_end", "count", True),
    ("mrr_end", "money", True),
    ("customer_churn_rate", "rate", False),
    ("net_revenue_retention", "rate", True),
    ("gross_revenue_retention", "rate", True),
    ("new_mrr", "money", True),
    ("expansion_mrr", "money", True),
    ("churned_mrr", "money", False),
]
MOVEMENTS = ["new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr"]
RATES = [
    "customer_retention_rate",
    "customer_churn_rate",
    "gross_revenue_retention",
    "net_revenue_retention",
]


def _change(kind: str, now: Any, before: Any) -> float | None:
    """Change against the previous period: points for rates, relative for amounts."""
    if now is None or before is None:
        return None
    if kind == "rate":
        return (now - before) * 100
    now, before = Decimal(now), Decimal(before)
    return float((now - before) / before) if before else None


def headline_cards(
    period: Period, segment: Segment, spec: list[tuple[str, str, bool]]
) -> dict[str, Any]:
    """Cards for (key, kind, up_is_good) with the change against the previous period."""
    previous = previous_period(period)
    now, before = period_metrics(period, segment), period_metrics(previous, segment)
    cards = []
    for key, kind, up_is_good in spec:
        label, formula = DEFINITIONS[key]
        change = _change(kind, now[key], before[key])
        cards.append(
            {
                "key": key,
                "label": label,
                "formula": formula,
                "kind": kind,
                "value": now[key],
                "change": change,
                "good": None if not change else (change > 0) == up_is_good,
            }
        )
    return {"cards": cards, "previous": previous, "metrics": now}


def headline(period: Period, segment: Segment) -> tuple[list[dict[str, Any]], Period]:
    found = headline_cards(period, segment, HEADLINE)
    return found["cards"], found["previous"]


def charts(period: Period, segment: Segment) -> dict[str, Any]:
    shown = chart_period(period)
    series = metric_series(shown, "month", segment)
    data: dict[str, Any] = {"labels": [row["start"][:7] for row in series]}
    for key in [*MOVEMENTS, "mrr_end", "customers_end", *RATES]:
        data[key] = [row[key] for row in series]
    data["net_mrr"] = [
        str(
            Decimal(row["new_mrr"])
            + Decimal(row["reactivation_mrr"])
            + Decimal(row["expansion_mrr"])
            - Decimal(row["contraction_mrr"])
            - Decimal(row["churned_mrr"])
        )
        for row in series
    ]
    return {"period": shown, "series": series, "data": data}
