"""Survey metrics computed in the database (docs/metrics.md, Surveys).

An answer counts in the period that contains its `submitted_at`, read in the site time zone:
`start 00:00 <= submitted_at < end 00:00`. Each function costs one query whatever the number
of answers, months or bands; the formulas over the totals are in `definitions.py`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DateField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Trim, Trunc, TruncDate
from django.utils import timezone

from accounts.bands import MRR_BANDS
from accounts.models import MONEY, active_on_q
from campaigns.models import MessageStatus
from lifecycle.lib.dates import day_start
from lifecycle.lib.numbers import money, ratio
from lifecycle.metrics.definitions import survey_results
from lifecycle.metrics.periods import Period, bucket_start, buckets
from surveys.models import Invitation, Response, band_q, score_in_band
from surveys.scoring import Band, SurveyKind, nps, weighted_nps

if TYPE_CHECKING:
    from lifecycle.metrics.queries import Segment

NO_MRR = Value(Decimal("0.00"), output_field=MONEY)
NO_ANSWERS = {
    "nps_responses": 0,
    "promoters": 0,
    "passives": 0,
    "detractors": 0,
    "csat_responses": 0,
    "csat_satisfied": 0,
    "csat_score_sum": None,
    "ces_responses": 0,
    "ces_score_sum": None,
}

ANSWER_KEYS = frozenset(survey_results(NO_ANSWERS))


def moments(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's bounds as instants: midnight of `start` and of `end` in site time."""
    return day_start(period.start), day_start(period.end)


def answers(period: Period, segment: Segment) -> QuerySet[Response]:
    """Every answer submitted in the period by an account the segment keeps."""
    start, end = moments(period)
    found = Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end).order_by()
    if segment.filters_anything:
        found = found.filter(account__in=segment.measured_accounts())
    return found


def answer_aggregates() -> dict[str, Any]:
    """Counts and score sums from which `survey_results` computes the survey keys."""
    nps_, csat, ces = SurveyKind.NPS, SurveyKind.CSAT, SurveyKind.CES
    return {
        "nps_responses": Count("pk", filter=Q(kind=nps_)),
        "promoters": Count("pk", filter=band_q(Band.HIGH, kind=nps_)),
        "passives": Count("pk", filter=band_q(Band.NEUTRAL, kind=nps_)),
        "detractors": Count("pk", filter=band_q(Band.LOW, kind=nps_)),
        "csat_responses": Count("pk", filter=Q(kind=csat)),
        "csat_satisfied": Count("pk", filter=band_q(Band.HIGH, kind=csat)),  # 4 or 5
        "csat_score_sum": Sum("score", filter=Q(kind=csat)),
        "ces_responses": Count("pk", filter=Q(kind=ces)),
        "ces_score_sum": Sum("score", filter=Q(kind=ces)),
    }


def answer_metrics(period: Period, segment: Segment) -> dict[str, Any]:
    """NPS, CSAT and CES of the answers submitted in the period, in one query."""
    return survey_results(answers(period, segment).aggregate(**answer_aggregates()))


def response_rate(period: Period, segment: Segment) -> dict[str, Any]:
    """Answered ÷ delivered, over the invitations whose email was sent in the period (an
    answer may come after the period: it still counts for the send it answers)."""
    start, end = moments(period)
    delivered = Invitation.objects.filter(
        message__status=MessageStatus.SENT, message__sent_at__gte=start, message__sent_at__lt=end
    ).order_by()
    if segment.filters_anything:
        delivered = delivered.filter(account__in=segment.measured_accounts())
    totals = delivered.aggregate(delivered=Count("pk"), answered=Count("response"))
    return {"survey_response_rate": ratio(totals["answered"], totals["delivered"])}


def survey_metrics(period: Period, segment: Segment) -> dict[str, Any]:
    """Every survey key of the period, in two queries."""
    return {**answer_metrics(period, segment), **response_rate(period, segment)}


def survey_series(period: Period, granularity: str, segment: Segment) -> list[dict[str, Any]]:
    """The answer keys bucket by bucket (as `buckets` cuts the period), in one query."""
    bucket = Trunc(
        "submitted_at",
        granularity,
        output_field=DateField(),
        tzinfo=timezone.get_default_timezone(),
    )
    rows = answers(period, segment).values(bucket=bucket).annotate(**answer_aggregates())
    found = {row.pop("bucket"): survey_results(row) for row in rows}
    return [
        found.get(bucket_start(part.start, granularity)) or survey_results(NO_ANSWERS)
        for part in buckets(period, granularity)
    ]


# --- NPS by the account's MRR -----------------------------------------------------------


def nps_answers_with_mrr(period: Period, segment: Segment) -> QuerySet:
    """One row per NPS answer of the period: its score and its account's MRR on the day of
    the answer (site time), from a join to the account's subscriptions active that day."""
    active = active_on_q(F("day"), prefix="account__subscriptions__")
    return (
        answers(period, segment)
        .filter(kind=SurveyKind.NPS)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_default_timezone()))
        .values("pk", "score", "day")
        .annotate(mrr=Coalesce(Sum("account__subscriptions__mrr", filter=active), NO_MRR))
    )


def _band_aggregates() -> dict[str, Any]:
    # Over the per-answer rows, all NPS: only the score and the MRR matter.
    promoter = score_in_band(SurveyKind.NPS, Band.HIGH)
    detractor = score_in_band(SurveyKind.NPS, Band.LOW)
    aggregates: dict[str, Any] = {
        "mrr_all": Coalesce(Sum("mrr"), NO_MRR),
        "mrr_promoters": Coalesce(Sum("mrr", filter=promoter), NO_MRR),
        "mrr_detractors": Coalesce(Sum("mrr", filter=detractor), NO_MRR),
    }
    for i, (_key, _label, low, high) in enumerate(MRR_BANDS):
        band = Q(mrr__gte=low) & (Q(mrr__lt=high) if high is not None else Q())
        aggregates[f"b{i}_responses"] = Count("pk", filter=band)
        aggregates[f"b{i}_promoters"] = Count("pk", filter=band & promoter)
        aggregates[f"b{i}_detractors"] = Count("pk", filter=band & detractor)
    return aggregates


def nps_by_mrr_band(period: Period, segment: Segment) -> dict[str, Any]:
    """NPS and answers per MRR band, and the MRR-weighted NPS of the period, in one query."""
    totals = nps_answers_with_mrr(period, segment).aggregate(**_band_aggregates())
    bands = []
    for i, (key, label, _low, _high) in enumerate(MRR_BANDS):
        responses = totals[f"b{i}_responses"]
        score = nps(totals[f"b{i}_promoters"], totals[f"b{i}_detractors"], responses)
        bands.append({"key": key, "label": label, "responses": responses, "nps": score})
    return {
        "bands": bands,
        "weighted_nps": weighted_nps(
            totals["mrr_promoters"], totals["mrr_detractors"], totals["mrr_all"]
        ),
        "weighted_mrr": money(totals["mrr_all"]),
    }


def latest_comments(period: Period, segment: Segment, limit: int = 10) -> list[Response]:
    """The newest answers of the period that carry a comment, with contact and account."""
    return list(
        answers(period, segment)
        .annotate(text=Trim("comment"))
        .exclude(text="")
        .select_related("contact", "account")
        .order_by("-submitted_at", "-pk")[:limit]
    )
