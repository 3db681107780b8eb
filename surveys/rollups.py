"""Account-level survey scores for the staff pages: NPS and CSAT over the last 180 days.

The counts run in SQL; the formulas are those of docs/metrics.md ("Surveys"): NPS is
100 * (promoters - detractors) / NPS responses rounded to one decimal (half away from zero),
null with no responses; CSAT is the share of 4 and 5 answers, a fraction.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual

from accounts.models import Account
from lifecycle.lib.dates import day_start
from lifecycle.lib.numbers import ratio
from surveys.models import FollowUp, FollowUpStatus, Response, band_q
from surveys.scoring import Band, SurveyKind, nps

WINDOW_DAYS = 180
HISTORY_DAYS = 730
HISTORY_POINTS = 200
LATEST_RESPONSES = 10


def window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The last 180 calendar days, today included, as [start, end) in the site time zone."""
    first_day = today - dt.timedelta(days=WINDOW_DAYS - 1)
    return day_start(first_day), day_start(today + dt.timedelta(days=1))


def _in_window(today: dt.date) -> Q:
    start, end = window(today)
    return Q(submitted_at__gte=start, submitted_at__lt=end)


def two_decimals(value: float | Decimal) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def account_scores(account: Account, *, today: dt.date) -> dict[str, Any]:
    """NPS and CSAT of one account over the window, from one aggregate query."""
    nps_kind, csat_kind = Q(kind=SurveyKind.NPS), Q(kind=SurveyKind.CSAT)
    totals = Response.objects.filter(_in_window(today), account=account).aggregate(
        nps_responses=Count("pk", filter=nps_kind),
        promoters=Count("pk", filter=band_q(Band.HIGH, kind=SurveyKind.NPS)),
        detractors=Count("pk", filter=band_q(Band.LOW, kind=SurveyKind.NPS)),
        csat_responses=Count("pk", filter=csat_kind),
        csat_happy=Count("pk", filter=band_q(Band.HIGH, kind=SurveyKind.CSAT)),
        csat_average=Avg("score", filter=csat_kind),
    )
    average = totals["csat_average"]
    return {
        **totals,
        "nps": nps(totals["promoters"], totals["detractors"], totals["nps_responses"]),
        "csat": ratio(totals["csat_happy"], totals["csat_responses"]),
        "csat_average": None if average is None else two_decimals(average),
        "window_days": WINDOW_DAYS,
    }


def _nps_tenths() -> Case:
    """NPS * 10 as an integer, rounded half away from zero with integer arithmetic only, so
    SQLite (floats) and PostgreSQL give the same digits as `definitions.nps`."""
    n = Count("pk")
    promoters = Count("pk", filter=band_q(Band.HIGH, kind=SurveyKind.NPS))
    detractors = Count("pk", filter=band_q(Band.LOW, kind=SurveyKind.NPS))
    # round(1000·k/n) for k >= 0 is floor((2000·k + n) / 2n); the sign is put back after.
    up = (Value(2000) * (promoters - detractors) + n) / (Value(2) * n)
    down = (Value(2000) * (detractors - promoters) + n) / (Value(2) * n)
    return Case(
        When(GreaterThanOrEqual(promoters, detractors), then=up),
        default=Value(0) - down,
        output_field=IntegerField(),
    )


def with_nps(accounts: QuerySet[Account], *, today: dt.date) -> QuerySet[Account]:
    """Annotate `nps_180`, each account's NPS over the window (None without answers), in the
    same query as the list: one correlated subquery, no query per row."""
    tenths = (
        Response.objects.filter(_in_window(today), account=OuterRef("pk"), kind=SurveyKind.NPS)
        .order_by()
        .values("account")
        .annotate(tenths=_nps_tenths())
        .values("tenths")
    )
    score = Cast(Subquery(tenths, output_field=IntegerField()), FloatField()) / Value(10.0)
    return accounts.annotate(nps_180=score)


def score_history(account: Account, *, today: dt.date) -> list[dict[str, Any]]:
    """The account's NPS and CSAT answers of the last two years (at most the latest 200),
    oldest first."""
    since = day_start(today - dt.timedelta(days=HISTORY_DAYS))
    rows = (
        Response.objects.filter(
            account=account, kind__in=[SurveyKind.NPS, SurveyKind.CSAT], submitted_at__gte=since
        )
        .order_by("-submitted_at", "-pk")
        .values("kind", "score", "submitted_at")[:HISTORY_POINTS]
    )
    return list(rows)[::-1]


def history_chart(history: list[dict[str, Any]]) -> dict[str, list[dict[str, int]]]:
    """Points for a scatter chart: x is the time in milliseconds, y the score."""
    points: dict[str, list[dict[str, int]]] = {SurveyKind.NPS: [], SurveyKind.CSAT: []}
    for row in history:
        milliseconds = int(row["submitted_at"].timestamp() * 1000)
        points[row["kind"]].append({"x": milliseconds, "y": row["score"]})
    return {"nps": points[SurveyKind.NPS], "csat": points[SurveyKind.CSAT]}


def latest_responses(account: Account) -> QuerySet[Response]:
    return (
        Response.objects.filter(account=account)
        .select_related("contact", "survey")
        .with_band()
        .order_by("-submitted_at", "-pk")[:LATEST_RESPONSES]
    )


def open_follow_ups(account: Account) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(account=account, status=FollowUpStatus.OPEN)
        .select_related("assignee", "response__contact")
        .order_by("-opened_at", "-pk")
    )


def account_satisfaction(account: Account, *, today: dt.date) -> dict[str, Any]:
    """Everything the account page's "Satisfaction" section shows."""
    history = score_history(account, today=today)
    return {
        "scores": account_scores(account, today=today),
        "history": history,
        "chart": history_chart(history),
        "latest": list(latest_responses(account)),
        "follow_ups": list(open_follow_ups(account)),
    }
