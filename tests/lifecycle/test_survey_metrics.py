"""Survey metrics: the pure formulas without a database, then the SQL aggregates on
hand-computed answers (periods in the site time zone, segments, series, MRR bands)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.bands import MRR_BANDS, mrr_band
from accounts.models import Account
from campaigns.models import MessageStatus
from lifecycle.lib.numbers import mean
from lifecycle.metrics.definitions import survey_results
from lifecycle.metrics.periods import Period, bucket_start, buckets
from lifecycle.metrics.queries import Segment, period_metrics
from lifecycle.metrics.survey_metrics import (
    NO_ANSWERS,
    latest_comments,
    nps_by_mrr_band,
    survey_series,
)
from surveys.models import Response
from surveys.scoring import weighted_nps
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InvitationFactory,
    MessageFactory,
    SubscriptionFactory,
    survey,
)

D = dt.date
UTC = dt.UTC
YEAR_2024 = Period(D(2024, 1, 1), D(2025, 1, 1))
SURVEY_KEYS = [
    "nps",
    "nps_responses",
    "promoters",
    "passives",
    "detractors",
    "csat",
    "csat_responses",
    "csat_average",
    "ces_average",
    "ces_responses",
    "survey_response_rate",
]


def answer(account, kind, score, at, comment="", invitation=None):
    """One answer, written directly: no invitation (and no paying subscription) unless given."""
    return Response.objects.create(
        survey=survey(kind),
        kind=kind,
        contact=ContactFactory(account=account),
        account=account,
        invitation=invitation,
        score=score,
        comment=comment,
        submitted_at=at,
    )


def noon(day: dt.date) -> dt.datetime:
    """Noon of `day` in the site time zone (TIME_ZONE may be set in the environment)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


# --- pure formulas, no database -----------------------------------------------------------


def totals(**given: int | None) -> dict[str, int | None]:
    return {**NO_ANSWERS, **given}


def test_three_promoters_one_passive_two_detractors_make_an_nps_of_16_7():
    result = survey_results(totals(nps_responses=6, promoters=3, passives=1, detractors=2))
    assert result["nps"] == 16.7
    assert (result["promoters"], result["passives"], result["detractors"]) == (3, 1, 2)


def test_every_score_is_null_without_answers_and_counts_are_zero():
    result = survey_results(NO_ANSWERS)
    assert result == {
        "nps": None,
        "nps_responses": 0,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "csat": None,
        "csat_responses": 0,
        "csat_average": None,
        "ces_average": None,
        "ces_responses": 0,
    }


def test_csat_is_a_fraction_and_the_averages_have_two_decimals():
    result = survey_results(
        totals(
            csat_responses=3, csat_satisfied=2, csat_score_sum=11, ces_responses=3, ces_score_sum=14
        )
    )
    assert result["csat"] == pytest.approx(2 / 3)
    assert result["csat_average"] == 3.67  # 11 / 3 = 3.666…, half up
    assert result["ces_average"] == 4.67


def test_the_mean_rounds_half_up_and_a_sum_of_zero_is_a_mean_of_zero():
    assert mean(5, 8) == 0.63  # 0.625
    assert mean(0, 2) == 0.0
    assert mean(None, 0) is None


def test_weighted_nps_weighs_answers_by_money_and_is_null_without_money():
    assert weighted_nps(Decimal("900"), Decimal("100"), Decimal("1200")) == 66.7
    assert weighted_nps(Decimal("0"), Decimal("50"), Decimal("50")) == -100.0
    assert weighted_nps(Decimal("0"), Decimal("0"), Decimal("0")) is None


@pytest.mark.parametrize(
    ("mrr", "band"),
    [
        ("0", "none"),
        ("0.01", "under-500"),
        ("499.99", "under-500"),
        ("500", "500-2000"),
        ("1999.99", "500-2000"),
        ("2000", "2000-10000"),
        ("10000", "10000+"),
        ("250000", "10000+"),
    ],
)
def test_each_mrr_falls_in_exactly_one_band(mrr, band):
    assert mrr_band(Decimal(mrr)) == band
    assert [key for key, *_rest in MRR_BANDS].count(band) == 1


@pytest.mark.parametrize(
    ("day", "granularity", "start"),
    [
        (D(2024, 5, 15), "week", D(2024, 5, 13)),  # a Wednesday: Monday before
        (D(2024, 5, 13), "week", D(2024, 5, 13)),
        (D(2024, 5, 15), "month", D(2024, 5, 1)),
        (D(2024, 5, 15), "quarter", D(2024, 4, 1)),
        (D(2024, 12, 31), "quarter", D(2024, 10, 1)),
        (D(2024, 5, 15), "year", D(2024, 1, 1)),
    ],
)
def test_a_bucket_starts_where_the_database_truncates(day, granularity, start):
    assert bucket_start(day, granularity) == start


# --- the SQL aggregates ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_period_counts_every_answer_and_a_zero_is_a_detractor():
    account = AccountFactory()
    for score in (9, 10, 9, 7, 6, 0):
        answer(account, "nps", score, noon(D(2024, 3, 5)))
    answer(account, "nps", 10, noon(D(2023, 12, 31)))  # before the period
    for score in (5, 4, 3, 1):
        answer(account, "csat", score, noon(D(2024, 6, 1)))
    for score in (2, 3, 7):
        answer(account, "ces", score, noon(D(2024, 6, 1)))

    m = period_metrics(YEAR_2024)

    assert (m["nps_responses"], m["promoters"], m["passives"], m["detractors"]) == (6, 3, 1, 2)
    assert m["nps"] == 16.7
    assert (m["csat_responses"], m["csat"], m["csat_average"]) == (4, 0.5, 3.25)
    assert (m["ces_responses"], m["ces_average"]) == (3, 4.0)


@pytest.mark.django_db
def test_only_detractors_scoring_zero_make_an_nps_of_minus_100():
    account = AccountFactory()
    answer(account, "nps", 0, noon(D(2024, 3, 5)))
    answer(account, "nps", 0, noon(D(2024, 3, 6)))

    assert period_metrics(YEAR_2024)["nps"] == -100.0


@pytest.mark.django_db
def test_a_period_without_answers_has_null_scores_not_zero():
    m = period_metrics(YEAR_2024)
    assert [m[key] for key in ("nps", "csat", "csat_average", "ces_average")] == [None] * 4
    assert m["nps_responses"] == m["csat_responses"] == 0
    assert m["survey_response_rate"] is None


@pytest.mark.django_db
def test_answers_count_by_their_day_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    account = AccountFactory()
    # 04:59 UTC on 1 January is still 31 December in New York, and 05:00 UTC is midnight.
    answer(account, "nps", 10, dt.datetime(2024, 1, 1, 4, 59, tzinfo=UTC))  # 2023 there
    answer(account, "nps", 0, dt.datetime(2024, 1, 1, 5, 0, tzinfo=UTC))  # first instant
    answer(account, "nps", 9, dt.datetime(2025, 1, 1, 4, 59, tzinfo=UTC))  # last minute
    answer(account, "nps", 0, dt.datetime(2025, 1, 1, 5, 0, tzinfo=UTC))  # 2025 there

    m = period_metrics(YEAR_2024)

    assert (m["nps_responses"], m["promoters"], m["detractors"]) == (2, 1, 1)
    series = survey_series(YEAR_2024, "month", Segment())
    assert [row["nps_responses"] for row in series] == [1] + [0] * 10 + [1]


@pytest.mark.django_db
def test_segment_filters_keep_the_answers_of_the_accounts_they_keep():
    retail = AccountFactory(industry="Retail")
    software = AccountFactory(industry="Software")
    SubscriptionFactory(account=software, started_on=D(2024, 2, 10))
    answer(retail, "nps", 10, noon(D(2024, 3, 1)))
    answer(software, "nps", 0, noon(D(2024, 3, 1)))
    answer(software, "nps", 3, noon(D(2024, 3, 2)))

    assert period_metrics(YEAR_2024, Segment(industry="Retail"))["nps"] == 100.0
    cohort = period_metrics(YEAR_2024, Segment(cohort_month=D(2024, 2, 1)))
    assert (cohort["nps_responses"], cohort["nps"]) == (2, -100.0)
    assert period_metrics(YEAR_2024, Segment(country="FR"))["nps_responses"] == 0


def invitation(account, sent_at, status=MessageStatus.SENT):
    contact = ContactFactory(account=account)
    message = MessageFactory(contact=contact, status=status, sent_at=sent_at)
    return InvitationFactory(contact=contact, account=account, message=message)


@pytest.mark.django_db
def test_the_response_rate_divides_answered_sends_by_sends_delivered_in_the_period():
    account = AccountFactory()
    answered_later = invitation(account, noon(D(2024, 12, 30)))
    invitation(account, noon(D(2024, 6, 1)))  # delivered, never answered
    answered_before = invitation(account, noon(D(2023, 12, 1)))  # sent before the period
    queued = invitation(account, None, status=MessageStatus.QUEUED)  # never delivered
    answer(account, "nps", 9, noon(D(2025, 1, 3)), invitation=answered_later)
    answer(account, "nps", 9, noon(D(2024, 1, 3)), invitation=answered_before)
    answer(account, "nps", 9, noon(D(2024, 1, 3)), invitation=queued)

    m = period_metrics(YEAR_2024)

    assert m["survey_response_rate"] == 0.5
    assert period_metrics(YEAR_2024, Segment(industry="Retail"))["survey_response_rate"] is None


@pytest.mark.django_db
def test_the_command_and_the_api_return_the_survey_keys(viewer_client):
    answer(AccountFactory(), "nps", 10, noon(D(2024, 3, 5)))
    out = StringIO()

    call_command("metrics", "--start", "2024-01-01", "--end", "2025-01-01", "--json", stdout=out)
    api = viewer_client.get("/api/v1/metrics/?start=2024-01-01&end=2025-01-01").json()

    assert json.loads(out.getvalue()) == api
    # The survey keys come after the revenue keys, and before email engagement.
    start = list(api).index("nps")
    assert list(api)[start : start + len(SURVEY_KEYS)] == SURVEY_KEYS
    assert (api["nps"], api["nps_responses"]) == (100.0, 1)


@pytest.mark.django_db
def test_period_metrics_cost_five_queries_whatever_the_number_of_answers(
    django_assert_num_queries,
):
    for n in range(40):
        account = AccountFactory()
        SubscriptionFactory(account=account, mrr=Decimal(10 + n), started_on=D(2023, 1, 1))
        answer(account, ("nps", "csat", "ces")[n % 3], 1 + n % 5, noon(D(2024, 1 + n % 12, 3)))
        invitation(account, noon(D(2024, 1 + n % 12, 1)))
    # Customers and revenue; the summed movements; the answers; the invitations behind the
    # response rate; email engagement.
    with django_assert_num_queries(5):
        period_metrics(YEAR_2024, Segment(industry="Software", cohort_month=D(2023, 1, 1)))


# --- series -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_monthly_series_gives_nps_and_csat_per_month_and_null_for_empty_months():
    account = AccountFactory()
    answer(account, "nps", 10, noon(D(2024, 1, 31)))
    answer(account, "nps", 2, noon(D(2024, 1, 2)))
    answer(account, "nps", 9, noon(D(2024, 3, 1)))
    answer(account, "csat", 4, noon(D(2024, 3, 31)))
    answer(account, "csat", 2, noon(D(2024, 3, 15)))

    series = survey_series(Period(D(2024, 1, 1), D(2024, 4, 1)), "month", Segment())

    assert [row["nps"] for row in series] == [0.0, None, 100.0]
    assert [row["csat"] for row in series] == [None, None, 0.5]
    assert [row["csat_average"] for row in series] == [None, None, 3.0]


@pytest.mark.django_db
def test_the_series_api_carries_the_survey_scores(viewer_client):
    answer(AccountFactory(), "nps", 3, noon(D(2024, 2, 10)))

    response = viewer_client.get("/api/v1/metrics/series/?start=2024-01-01&end=2024-04-01")

    assert [row["nps"] for row in response.json()["results"]] == [None, -100.0, None]


@pytest.mark.django_db
def test_the_survey_series_costs_one_query_for_any_number_of_months(django_assert_num_queries):
    for month in range(1, 13):
        answer(AccountFactory(), "nps", month % 11, noon(D(2024, month, 5)))
    with django_assert_num_queries(1):
        assert len(survey_series(Period(D(2022, 1, 1), D(2025, 1, 1)), "month", Segment())) == 36


answer_rows = st.lists(
    st.tuples(
        st.sampled_from(["nps", "csat"]),
        st.integers(0, 10),
        st.integers(0, 200 * 24),  # hours after the first instant
    ),
    max_size=15,
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=answer_rows,
    start=st.integers(0, 100),
    length=st.integers(1, 100),
    granularity=st.sampled_from(["week", "month", "quarter"]),
    zone=st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo"]),
)
def test_the_series_equals_the_answer_keys_of_each_bucket(rows, start, length, granularity, zone):
    from django.test import override_settings

    Response.objects.all().delete()
    Account.objects.all().delete()
    account = AccountFactory()
    first = dt.datetime(2024, 1, 1, tzinfo=ZoneInfo(zone))
    for kind, score, hours in rows:
        score = score if kind == "nps" else 1 + score % 5
        answer(account, kind, score, first + dt.timedelta(hours=hours))
    day0 = D(2024, 1, 1)
    period = Period(day0 + dt.timedelta(days=start), day0 + dt.timedelta(days=start + length))

    with override_settings(TIME_ZONE=zone):
        series = survey_series(period, granularity, Segment())
        expected = [period_metrics(part) for part in buckets(period, granularity)]

    assert series == [{key: want[key] for key in series[0]} for want in expected]


# --- NPS by MRR band and MRR-weighted NPS -------------------------------------------------


@pytest.mark.django_db
def test_answers_fall_in_the_mrr_band_of_their_account_on_the_day_they_were_given():
    small, large, gone = AccountFactory(), AccountFactory(), AccountFactory()
    SubscriptionFactory(account=small, mrr=Decimal("50"), started_on=D(2023, 1, 1))
    # Grows from 1,000 to 20,000 after its answer: the answer still weighs 1,000.
    SubscriptionFactory(
        account=large, mrr=Decimal("1000"), started_on=D(2023, 1, 1), ended_on=D(2024, 6, 1)
    )
    SubscriptionFactory(account=large, mrr=Decimal("20000"), started_on=D(2024, 6, 1))
    SubscriptionFactory(
        account=gone, mrr=Decimal("300"), started_on=D(2023, 1, 1), ended_on=D(2024, 2, 1)
    )
    answer(small, "nps", 10, noon(D(2024, 3, 1)))
    answer(small, "nps", 0, noon(D(2024, 3, 2)))
    answer(small, "nps", 9, noon(D(2024, 3, 3)))
    answer(large, "nps", 10, noon(D(2024, 5, 31)))
    answer(large, "nps", 7, noon(D(2024, 5, 30)))
    answer(gone, "nps", 0, noon(D(2024, 1, 31)))  # its last paying day: weighs 300
    answer(gone, "nps", 1, noon(D(2024, 2, 1)))  # churned the day before: no MRR
    answer(small, "csat", 1, noon(D(2024, 3, 1)))  # not an NPS answer

    found = nps_by_mrr_band(YEAR_2024, Segment())

    bands = {row["key"]: (row["responses"], row["nps"]) for row in found["bands"]}
    assert bands == {
        "none": (1, -100.0),
        "under-500": (4, 0.0),  # 10, 0, 9 from small; 0 from gone while paying 300
        "500-2000": (2, 50.0),
        "2000-10000": (0, None),
        "10000+": (0, None),
    }
    # promoters 50 + 50 + 1,000; detractors 50 + 300 (+ 0); all 50*3 + 1,000*2 + 300 + 0
    assert found["weighted_nps"] == weighted_nps(Decimal("1100"), Decimal("350"), Decimal("2450"))
    assert found["weighted_nps"] == 30.6
    assert found["weighted_mrr"] == "2450.00"


@pytest.mark.django_db
def test_weighted_nps_is_null_when_no_answering_account_pays():
    answer(AccountFactory(), "nps", 10, noon(D(2024, 3, 1)))

    found = nps_by_mrr_band(YEAR_2024, Segment())

    assert found["weighted_nps"] is None
    assert found["bands"][0]["responses"] == 1


@pytest.mark.django_db
def test_the_band_table_costs_one_query_whatever_the_number_of_answers(
    django_assert_num_queries,
):
    for n in range(30):
        account = AccountFactory()
        SubscriptionFactory(account=account, mrr=Decimal(100 * n), started_on=D(2023, 1, 1))
        SubscriptionFactory(account=account, mrr=Decimal(7), started_on=D(2024, 3, 1))
        answer(account, "nps", n % 11, noon(D(2024, 1 + n % 12, 2)))
    with django_assert_num_queries(1):
        found = nps_by_mrr_band(YEAR_2024, Segment(industry="Software"))
    assert sum(row["responses"] for row in found["bands"]) == 30


# --- the latest comments ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_latest_comments_are_the_newest_ten_with_text_in_the_period():
    account = AccountFactory()
    for day in range(1, 15):
        answer(account, "nps", day % 11, noon(D(2024, 3, day)), comment=f"day {day}")
    answer(account, "nps", 5, noon(D(2024, 3, 20)), comment="   ")  # blank: not a comment
    answer(account, "nps", 5, noon(D(2024, 3, 21)))
    answer(account, "nps", 5, noon(D(2025, 1, 2)), comment="after the period")

    found = latest_comments(YEAR_2024, Segment())

    assert [response.comment for response in found] == [f"day {d}" for d in range(14, 4, -1)]
