"""The one period rule of every metrics request (lifecycle/metrics/periods.py): days in the
years 1900 to 2100, end after start, at most 156 calendar months. The pages answer with the
form's error, the CSVs and the API with a 400, the command with a CommandError: never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from lifecycle.metrics.periods import MAX_PERIOD_MONTHS, InvalidPeriod, requested_period
from tests.factories import AccountFactory, SubscriptionFactory
from tests.fuzz import FUZZ

D = dt.date
PERIOD_PAGES = ["/", "/dashboard/churn/"]
PERIOD_DOWNLOADS = ["/dashboard/series.csv", "/dashboard/churn.csv"]
PERIOD_API = ["/api/v1/metrics/", "/api/v1/metrics/series/", "/api/v1/metrics/daily/"]
MONTH_URLS = ["/dashboard/cohorts/", "/dashboard/cohorts.csv", "/api/v1/metrics/cohorts/"]
TOO_LONG = "A period may span at most 156 calendar months; this one spans 157."
OUT_OF_YEARS = "Give a date in the years 1900 to 2100."


@pytest.fixture
def customers(db):
    """Two customers, one of them churned, so that every query has rows to read."""
    SubscriptionFactory(account=AccountFactory(), mrr=Decimal("100"), started_on=D(2015, 3, 1))
    SubscriptionFactory(
        account=AccountFactory(),
        mrr=Decimal("50"),
        started_on=D(2016, 1, 1),
        ended_on=D(2020, 6, 1),
        cancel_type="voluntary",
    )


def _query(start: str, end: str) -> str:
    return "?" + urlencode({"period": "custom", "start": start, "end": end})


# --- The rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2012, 12, 1), D(2025, 12, 1)),  # 156 whole months
        (D(2013, 1, 15), D(2025, 12, 20)),  # 156 calendar months, the first and last partial
        (D(1900, 1, 1), D(1900, 1, 2)),
        (D(2100, 12, 30), D(2100, 12, 31)),
    ],
)
def test_it_measures_periods_up_to_the_longest_chart(start: dt.date, end: dt.date) -> None:
    assert requested_period(start, end).end == end


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (D(2012, 12, 1), D(2026, 1, 1), TOO_LONG),
        (D(2013, 1, 31), D(2026, 1, 2), TOO_LONG),  # 157 months touched, if not 157 long
        (D(2026, 1, 1), D(9999, 12, 31), OUT_OF_YEARS),
        (D(1, 1, 1), D(1, 1, 2), OUT_OF_YEARS),
        (D(1899, 12, 31), D(1900, 2, 1), OUT_OF_YEARS),
        (D(2024, 2, 1), D(2024, 1, 1), "end must be after start"),
    ],
)
def test_it_refuses_periods_outside_the_rule(start: dt.date, end: dt.date, message: str) -> None:
    with pytest.raises(InvalidPeriod, match=message):
        requested_period(start, end)


def test_the_limit_is_what_the_monthly_charts_can_draw() -> None:
    from lifecycle.metrics.periods import MAX_BUCKETS, buckets

    longest = requested_period(D(2013, 1, 15), D(2025, 12, 20))

    assert len(buckets(longest, "month")) == MAX_PERIOD_MONTHS == MAX_BUCKETS


# --- Each answer --------------------------------------------------------------------------


@pytest.mark.parametrize("url", PERIOD_PAGES)
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2012-12-01", "2026-01-01", TOO_LONG),
        ("2026-01-01", "9999-12-31", OUT_OF_YEARS),
        ("0001-01-01", "0001-01-02", OUT_OF_YEARS),
    ],
)
def test_a_page_shows_the_period_error_on_its_form(
    viewer_client: Client, customers: None, url: str, start: str, end: str, message: str
) -> None:
    response = viewer_client.get(url + _query(start, end))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("url", PERIOD_DOWNLOADS)
def test_a_download_answers_400_with_the_reason(
    viewer_client: Client, customers: None, url: str
) -> None:
    response = viewer_client.get(url + _query("2012-12-01", "2026-01-01"))

    assert response.status_code == 400
    assert TOO_LONG in response.content.decode()


def test_the_longest_period_is_drawn(viewer_client: Client, customers: None) -> None:
    query = _query("2012-12-01", "2025-12-01")

    assert viewer_client.get("/" + query).status_code == 200
    assert viewer_client.get("/dashboard/churn/" + query).status_code == 200
    series = viewer_client.get("/dashboard/series.csv" + query).content.decode()
    assert len(series.splitlines()) == 1 + MAX_PERIOD_MONTHS


@pytest.mark.parametrize("url", [*PERIOD_PAGES, *PERIOD_DOWNLOADS, *PERIOD_API])
@pytest.mark.parametrize(
    ("start", "end"),
    [("1900-01-01", "1900-01-02"), ("2100-12-30", "2100-12-31"), ("1900-01-01", "1913-01-01")],
)
def test_the_edges_of_the_years_are_measured(
    viewer_client: Client, customers: None, url: str, start: str, end: str
) -> None:
    # The day before, the previous period and the 12 months a short chart shows fall before
    # 1900: still real dates.
    assert viewer_client.get(url + _query(start, end)).status_code == 200


@pytest.mark.parametrize("url", PERIOD_API)
@pytest.mark.parametrize(
    ("start", "end", "body"),
    [
        ("2012-12-01", "2026-01-01", {"end": [TOO_LONG]}),
        ("0001-01-01", "0001-01-02", {"start": [OUT_OF_YEARS], "end": [OUT_OF_YEARS]}),
        ("2026-01-01", "9999-12-31", {"end": [OUT_OF_YEARS]}),
    ],
)
def test_the_api_answers_400_with_the_field_in_error(
    viewer_client: Client, customers: None, url: str, start: str, end: str, body: dict
) -> None:
    response = viewer_client.get(url, {"start": start, "end": end})

    assert response.status_code == 400
    assert response.json() == body


@pytest.mark.parametrize("url", MONTH_URLS)
def test_cohort_months_are_held_to_the_same_years(
    viewer_client: Client, customers: None, url: str
) -> None:
    response = viewer_client.get(url, {"start": "0001-01", "end": "0001-06"})

    assert response.status_code == 400
    assert OUT_OF_YEARS in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2012-12-01", "2026-01-01", f"--end: {TOO_LONG}"),
        ("0001-01-01", "0001-01-02", f"--start: {OUT_OF_YEARS}; --end: {OUT_OF_YEARS}"),
    ],
)
def test_the_command_refuses_the_period_in_one_line(
    customers: None, start: str, end: str, message: str
) -> None:
    with pytest.raises(CommandError) as failure:
        call_command("metrics", "--start", start, "--end", end)

    assert str(failure.value) == message


# --- No 5xx for any dates -----------------------------------------------------------------

DATE_LIKE = st.one_of(
    st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)).map(str),
    st.dates().map(lambda day: day.strftime("%m/%d/%Y")),
    st.from_regex(r"\A-?[0-9]{1,6}-[0-9]{1,3}(-[0-9]{1,3})?\Z"),
    st.text(max_size=12),
)
EVERY_URL = [*PERIOD_PAGES, *PERIOD_DOWNLOADS, *PERIOD_API, *MONTH_URLS]


@pytest.mark.parametrize("url", EVERY_URL)
def test_no_start_or_end_gives_a_server_error(
    viewer_client: Client, customers: None, url: str
) -> None:
    @FUZZ
    @given(start=DATE_LIKE, end=DATE_LIKE, custom=st.booleans())
    def check(start: str, end: str, custom: bool) -> None:
        query = {"start": start, "end": end, **({"period": "custom"} if custom else {})}
        response = viewer_client.get(url, query)
        assert response.status_code in (200, 400), (query, response.status_code)

    check()
