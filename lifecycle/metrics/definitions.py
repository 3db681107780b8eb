"""The formulas of METRICS.md over already-aggregated totals: pure, no database.

Rates are fractions; a rate whose denominator is zero is None; money is a string with two
decimal places; NPS is -100..100 rounded to one decimal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> float | None:
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def money(value: Decimal | int | None) -> str:
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def nps(promoters: int, detractors: int, responses: int) -> float | None:
    if not responses:
        return None
    score = Decimal(100) * (promoters - detractors) / responses
    return float(score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def customer_rates(counts: dict[str, int]) -> dict[str, float | None]:
    start = counts["customers_start"]
    return {
        "customer_retention_rate": ratio(counts["retained_customers"], start),
        "customer_churn_rate": ratio(counts["churned_customers"], start),
    }


def revenue_rates(mrr: dict[str, Decimal]) -> dict[str, float | None]:
    start = mrr["mrr_start"]
    gained = mrr["new_mrr"] + mrr["reactivation_mrr"] + mrr["expansion_mrr"]
    lost = mrr["contraction_mrr"] + mrr["churned_mrr"]
    return {
        "gross_revenue_retention": ratio(start - lost, start),
        "net_revenue_retention": ratio(start + mrr["expansion_mrr"] - lost, start),
        "revenue_churn_rate": ratio(lost, start),
        "net_revenue_churn_rate": ratio(lost - mrr["expansion_mrr"], start),
        "expansion_share": ratio(mrr["expansion_mrr"], gained),
        "quick_ratio": ratio(gained, lost),
    }


def present(counts: dict[str, int], mrr: dict[str, Decimal]) -> dict[str, Any]:
    """The customer and revenue keys of METRICS.md, in the output conventions."""
    return {
        **counts,
        **customer_rates(counts),
        **{key: money(value) for key, value in mrr.items()},
        **revenue_rates(mrr),
    }
