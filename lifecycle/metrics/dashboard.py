"""What the overview dashboard shows, assembled from the metric queries."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from lifecycle.lib.display import month_label
from lifecycle.metrics.definitions import DEFINITIONS, UNIT_KEYS, unit_economics
from lifecycle.metrics.email_metrics import EMAIL_KEYS, email_metrics
from lifecycle.metrics.periods import Period, buckets, chart_period, previous_period
from lifecycle.metrics.queries import Segment, revenue_metrics_of
from lifecycle.metrics.series import SUMMED_KEYS, metric_series, summed_movements
from lifecycle.metrics.survey_metrics import (
    ANSWER_KEYS,
    answer_metrics,
    latest_comments,
    nps_by_mrr_band,
    response_rate,
)
from surveys.scoring import band

HEADLINE = [
    ("customers_end", "count", True),
    ("mrr_end", "money", True),
    ("customer_churn_rate", "rate", False),
    ("net_revenue_retention", "rate", True),
    ("gross_revenue_retention", "rate", True),
    ("new_mrr", "money", True),
    ("expansion_mrr", "money", True),
    ("churned_mrr", "money", False),
    ("nps", "score", True),
    ("csat", "rate", True),
]
# What a customer is worth (docs/metrics.md, "Unit economics"), at the end of the period.
REVENUE_CARDS = [
    ("arr", "money", True),
    ("arpa", "money", True),
    ("new_customers", "count", True),
    ("monthly_revenue_churn_rate", "rate", False),
    ("customer_lifetime_value", "money", True),
]
# Email engagement of the period, clicks first: opens are a weak signal.
EMAIL_CARDS = [
    ("emails_sent", "count", True),
    ("click_rate", "rate", True),
    ("open_rate", "rate", True),
    ("click_to_open_rate", "rate", True),
    ("unsubscribe_rate", "rate", False),
    ("bounce_rate", "rate", False),
]
# A survey score is only as good as its number of answers: the card says how many.
ANSWERS_BEHIND = {"nps": "nps_responses", "csat": "csat_responses"}
SURVEY_SERIES = [
    "nps",
    "nps_responses",
    "promoters",
    "passives",
    "detractors",
    "csat",
    "csat_responses",
    "csat_average",
]
COMMENTS_SHOWN = 10
MOVEMENTS = ["new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr"]
RATES = [
    "customer_retention_rate",
    "customer_churn_rate",
    "gross_revenue_retention",
    "net_revenue_retention",
]


# A change is shown with one decimal: points for rates and scores, percent for amounts.
POINT = Decimal("0.1")
TENTH_OF_A_PERCENT = Decimal("0.001")


def _change(kind: str, now: Any, before: Any) -> Decimal | None:
    """Change against the previous period, rounded as the card shows it (points for rates
    and scores, relative for amounts), so that its arrow and colour follow the number shown:
    a change that shows as 0.0 is no change."""
    if now is None or before is None:
        return None
    if kind in ("rate", "score"):
        points = Decimal(str(now)) - Decimal(str(before))
        return (points * 100 if kind == "rate" else points).quantize(POINT, ROUND_HALF_UP)
    now, before = Decimal(now), Decimal(before)
    return ((now - before) / before).quantize(TENTH_OF_A_PERCENT, ROUND_HALF_UP) if before else None


def card(
    key: str, kind: str, up_is_good: bool, now: dict[str, Any], before: dict[str, Any]
) -> dict[str, Any]:
    """One headline card: its value, its change against the previous period and whether
    that change is good (None when there is none to show: no comparison, or 0.0)."""
    label, formula = DEFINITIONS[key]
    change = _change(kind, now[key], before[key])
    return {
        "key": key,
        "label": label,
        "formula": formula,
        "kind": kind,
        "value": now[key],
        "change": change,
        "good": None if not change else (change > 0) == up_is_good,
        "answers": now[ANSWERS_BEHIND[key]] if key in ANSWERS_BEHIND else None,
    }


def headline_cards(
    period: Period, segment: Segment, spec: list[tuple[str, str, bool]]
) -> dict[str, Any]:
    """Cards for (key, kind, up_is_good) with the change against the previous period."""
    previous = previous_period(period)
    keys = {key for key, _kind, _up in spec}
    now, before = measure([period, previous], segment, keys)
    cards = [card(key, kind, up_is_good, now, before) for key, kind, up_is_good in spec]
    return {"cards": cards, "previous": previous, "metrics": now}


def measure(periods: list[Period], segment: Segment, keys: set[str]) -> list[dict[str, Any]]:
    """Each period's metrics that `keys` need: customers and revenue (one query for all
    periods), survey answers, the response rate and email engagement only when asked for
    (one query each per period)."""
    others = ANSWER_KEYS | EMAIL_KEYS | SUMMED_KEYS | {"survey_response_rate"}
    others |= {"monthly_revenue_churn_rate"}
    needs_revenue = bool(keys - others)
    found = revenue_metrics_of(periods, segment) if needs_revenue else [{} for _ in periods]
    for period, metrics in zip(periods, found, strict=True):
        if keys & ANSWER_KEYS:
            metrics |= answer_metrics(period, segment)
        if "survey_response_rate" in keys:
            metrics |= response_rate(period, segment)
        if keys & EMAIL_KEYS:
            metrics |= email_metrics(period, segment)
        if keys & (SUMMED_KEYS | UNIT_KEYS):
            metrics |= summed_movements(period, segment, with_monthly_churn=True)
        if keys & UNIT_KEYS:
            metrics |= unit_economics(metrics)
    return found


# A period of several months reads its movements as the sum of its months, as the monthly
# bars under the cards show them (docs/metrics.md, "Summed movements"); the retention rates
# stay the cohort view of the customers the period started with.
SUMMED_CARDS = {
    key: f"summed_{key}"
    for key in ("new_mrr", "expansion_mrr", "churned_mrr", "new_customers", "churned_customers")
}


def read_as_months(
    period: Period, spec: list[tuple[str, str, bool]]
) -> list[tuple[str, str, bool]]:
    """The cards of `spec`, their movements summed month by month when the period has
    several months."""
    if len(buckets(period, "month")) <= 1:
        return spec
    return [(SUMMED_CARDS.get(key, key), kind, up) for key, kind, up in spec]


def headline(period: Period, segment: Segment) -> tuple[list[dict[str, Any]], Period]:
    found = headline_cards(period, segment, read_as_months(period, HEADLINE))
    return found["cards"], found["previous"]


def revenue_cards(period: Period, segment: Segment) -> list[dict[str, Any]]:
    return headline_cards(period, segment, read_as_months(period, REVENUE_CARDS))["cards"]


def email_cards(period: Period, segment: Segment) -> list[dict[str, Any]]:
    return headline_cards(period, segment, EMAIL_CARDS)["cards"]


def charts(period: Period, segment: Segment) -> dict[str, Any]:
    shown = chart_period(period)
    series = metric_series(shown, "month", segment)
    data: dict[str, Any] = {
        "labels": [month_label(row["start"]) for row in series],
        # The running month is drawn as partial: its bars and lines are "so far".
        "partial": shown.last_day >= timezone.localdate(),
        "so_far": _("so far"),
    }
    for key in [*MOVEMENTS, "mrr_end", "customers_end", *RATES, *SURVEY_SERIES]:
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


def feedback(period: Period, segment: Segment, *, with_comments: bool) -> dict[str, Any]:
    """The survey panel: NPS by MRR band, the MRR-weighted NPS and the latest comments
    (only for staff who may read answers)."""
    found = nps_by_mrr_band(period, segment)
    for row in found["bands"]:  # half the track each way from the middle: -100..100
        row["bar_width"] = abs(row["nps"]) / 2 if row["nps"] is not None else 0
    comments = latest_comments(period, segment, COMMENTS_SHOWN) if with_comments else []
    found["comments"] = [_comment(response) for response in comments]
    return found


def _comment(response: Any) -> dict[str, Any]:
    return {
        "url": response.get_absolute_url(),
        "kind": response.kind,
        "score": response.score,
        "band": band(response.kind, response.score),
        "comment": response.comment.strip(),
        "contact": response.contact_label,
        "account": response.account.name,
        "submitted_at": response.submitted_at,
    }
