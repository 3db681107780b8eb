"""Cohorts: a hand-checked table, the database against a day-by-day reference on random
histories, a fixed query count, and the page, CSV and API showing the same numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Subscription
from lifecycle.lib.dates import add_months
from lifecycle.metrics.cohorts import average_retention, cohort_table
from lifecycle.metrics.periods import InvalidPeriod
from lifecycle.metrics.queries import Segment
from lifecycle.metrics.templatetags.metrics import metric_value
from tests.factories import AccountFactory, SubscriptionFactory

D = dt.date
ONE_DAY = dt.timedelta(days=1)


def sub(account, mrr, start, end=None):
    return SubscriptionFactory(account=account, mrr=Decimal(mrr), started_on=start, ended_on=end)


def table(start, end, today, segment=None):
    return cohort_table(start_month=start, end_month=end, segment=segment or Segment(), today=today)


# --- a small history checked by hand ------------------------------------------------------


@pytest.fixture
def three_cohorts():
    """January: one kept, one churned in March. February: one expansion in March.
    March: one who left within the month and came back in April, one joining on the 31st.
    April (running, today is the 20th): only a future start and a free plan."""
    kept, churned = AccountFactory(name="Kept"), AccountFactory(name="Churned")
    sub(kept, "100", D(2024, 1, 10), D(2024, 4, 25))  # ends after today: still a customer
    sub(churned, "200", D(2024, 1, 5), D(2024, 3, 1))
    grower = AccountFactory(name="Grower")
    sub(grower, "50", D(2024, 2, 15), D(2024, 3, 10))
    sub(grower, "120", D(2024, 3, 10))
    returning, late = AccountFactory(name="Returning"), AccountFactory(name="Late")
    sub(returning, "80", D(2024, 3, 1), D(2024, 3, 20))
    sub(returning, "90", D(2024, 4, 5))
    sub(late, "40", D(2024, 3, 31))
    sub(AccountFactory(name="Future"), "60", D(2024, 4, 25))
    sub(AccountFactory(name="Free"), "0", D(2024, 4, 1))
    sub(AccountFactory(name="Older", industry="Retail"), "500", D(2023, 12, 1))
    return D(2024, 4, 20)


@pytest.mark.django_db
def test_logo_and_revenue_retention_of_three_cohorts(three_cohorts):
    rows = table(D(2024, 1, 1), D(2024, 4, 1), three_cohorts)

    assert [(row["cohort"], row["size"], row["mrr_first_month"]) for row in rows] == [
        ("2024-01", 2, "300.00"),
        ("2024-02", 1, "50.00"),
        ("2024-03", 2, "40.00"),
        ("2024-04", 0, "0.00"),
    ]
    january, february, march, april = rows
    assert january["logos"] == [2, 2, 1, 1]
    assert january["logo_retention"] == [1.0, 1.0, 0.5, 0.5]
    assert january["revenue"] == ["300.00", "300.00", "100.00", "100.00"]
    assert january["revenue_retention"] == [1.0, 1.0, pytest.approx(1 / 3), pytest.approx(1 / 3)]
    assert february["revenue"] == ["50.00", "120.00", "120.00"]
    assert february["revenue_retention"] == [1.0, 2.4, 2.4]
    assert february["logo_retention"] == [1.0, 1.0, 1.0]
    assert march["logos"] == [1, 2]  # the returning account left before the close of March
    assert march["logo_retention"] == [0.5, 1.0]
    assert march["revenue"] == ["40.00", "130.00"]
    assert march["revenue_retention"] == [1.0, 3.25]
    assert april["logo_retention"] == april["revenue_retention"] == [None]


@pytest.mark.django_db
def test_the_average_row_weights_each_cohort_by_its_size(three_cohorts):
    rows = table(D(2024, 1, 1), D(2024, 4, 1), three_cohorts)

    # Month k over the cohorts that reached it: kept ÷ started with, summed over cohorts.
    assert average_retention(rows, "logos") == [
        pytest.approx(4 / 5),
        pytest.approx(5 / 5),
        pytest.approx(2 / 3),
        pytest.approx(1 / 2),
    ]
    assert average_retention(rows, "revenue") == [
        pytest.approx(390 / 390),
        pytest.approx(550 / 390),
        pytest.approx(220 / 350),
        pytest.approx(100 / 300),
    ]
    assert average_retention([], "logos") == []


@pytest.mark.django_db
def test_months_after_the_running_one_are_not_shown(three_cohorts):
    rows = table(D(2024, 3, 1), D(2024, 12, 1), three_cohorts)

    assert [row["cohort"] for row in rows] == ["2024-03", "2024-04"]
    assert table(D(2024, 5, 1), D(2024, 6, 1), three_cohorts) == []


@pytest.mark.django_db
def test_an_earlier_end_month_cuts_the_offsets(three_cohorts):
    rows = table(D(2024, 1, 1), D(2024, 2, 1), three_cohorts)

    assert [row["logos"] for row in rows] == [[2, 2], [1]]


@pytest.mark.django_db
def test_segment_filters_apply_and_the_cohort_filter_does_not(three_cohorts):
    retail = table(D(2023, 12, 1), D(2024, 1, 1), three_cohorts, Segment(industry="Retail"))
    ignored = table(
        D(2024, 1, 1), D(2024, 2, 1), three_cohorts, Segment(cohort_month=D(2024, 2, 1))
    )

    assert [(row["cohort"], row["size"]) for row in retail] == [("2023-12", 1), ("2024-01", 0)]
    assert [row["size"] for row in ignored] == [2, 1]


@pytest.mark.parametrize(
    ("start", "end"), [(D(2024, 5, 1), D(2024, 4, 1)), (D(2021, 1, 1), D(2024, 1, 1))]
)
def test_a_reversed_or_longer_than_36_months_range_is_refused(start, end):
    with pytest.raises(InvalidPeriod):
        table(start, end, D(2024, 6, 1))


# --- the cost is one query however many cohorts ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("cohorts", [2, 20])
def test_the_table_costs_one_query_whatever_the_number_of_cohorts(
    cohorts, django_assert_num_queries
):
    first = D(2022, 1, 1)
    for n in range(cohorts):
        for extra in range(3):
            end = add_months(first, n + 2 + extra) if extra else None
            sub(AccountFactory(), str(10 + n), add_months(first, n) + dt.timedelta(days=n), end)
    with django_assert_num_queries(1):
        rows = table(first, add_months(first, cohorts - 1), D(2024, 6, 1))
    assert [row["size"] for row in rows] == [3] * cohorts


# --- property: the database agrees with a brute-force reference -----------------------------

DAY0 = D(2024, 1, 1)
HORIZON = 200  # days of history in generated examples
EARLIEST = -40  # some subscriptions start before the first cohort month


def mrr_on(subs, account, day):
    return sum(
        (
            s["mrr"]
            for s in subs
            if s["account"] == account
            and s["start"] <= day
            and (s["end"] is None or day < s["end"])
        ),
        Decimal(0),
    )


def reference_table(subs, start, end, today):
    """docs/metrics.md, Cohorts, read literally: one day and one account at a time."""
    last = min(end, today.replace(day=1))
    months = []
    while start <= last:
        months.append(start)
        start = add_months(start, 1)
    earliest = DAY0 + dt.timedelta(days=EARLIEST)
    days = [earliest + dt.timedelta(days=i) for i in range((today - earliest).days + 1)]
    accounts = {s["account"] for s in subs}
    first = {a: next((d for d in days if mrr_on(subs, a, d) > 0), None) for a in accounts}
    result = []
    for index, month in enumerate(months):
        cohort = [a for a in accounts if first[a] and first[a].replace(day=1) == month]
        logos, revenue = [], []
        for later in months[index:]:
            close = min(add_months(later, 1) - ONE_DAY, today)
            logos.append(sum(1 for a in cohort if mrr_on(subs, a, close) > 0))
            revenue.append(sum((mrr_on(subs, a, close) for a in cohort), Decimal(0)))
        result.append(
            {
                "cohort": month.strftime("%Y-%m"),
                "size": len(cohort),
                "logos": logos,
                "revenue": revenue,
                "logo_retention": [n / len(cohort) if cohort else None for n in logos],
                "revenue_retention": [v / revenue[0] if revenue[0] else None for v in revenue],
            }
        )
    return result


subscription_rows = st.lists(
    st.tuples(
        st.integers(0, 5),  # account
        st.sampled_from([Decimal("0"), Decimal("10.50"), Decimal("25"), Decimal("300")]),
        st.integers(EARLIEST, HORIZON),  # start day
        st.one_of(st.none(), st.integers(1, 90)),  # length in days, or open-ended
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=subscription_rows,
    today=st.integers(0, HORIZON),
    first=st.integers(0, 6),
    months=st.integers(1, 8),
)
def test_the_database_agrees_with_the_reference(rows, today, first, months):
    Subscription.objects.all().delete()
    Account.objects.all().delete()
    accounts = [Account.objects.create(name=f"A{i}") for i in range(6)]
    subs = []
    for account, mrr, start_day, days in rows:
        begin = DAY0 + dt.timedelta(days=start_day)
        finish = begin + dt.timedelta(days=days) if days else None
        Subscription.objects.create(
            account=accounts[account], mrr=mrr, started_on=begin, ended_on=finish
        )
        subs.append({"account": account, "mrr": mrr, "start": begin, "end": finish})
    today_date = DAY0 + dt.timedelta(days=today)
    start, end = add_months(DAY0, first - 1), add_months(DAY0, first + months - 2)

    got = table(start, end, today_date)
    expected = reference_table(subs, start, end, today_date)

    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert (row["cohort"], row["size"], row["logos"]) == (
            want["cohort"],
            want["size"],
            want["logos"],
        )
        assert [Decimal(value) for value in row["revenue"]] == want["revenue"]
        assert row["mrr_first_month"] == f"{want['revenue'][0]:.2f}"
        for key in ("logo_retention", "revenue_retention"):
            assert row[key] == pytest.approx(
                [None if v is None else float(v) for v in want[key]]
            ), key


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_returns_the_table(viewer_client, three_cohorts):
    response = viewer_client.get("/api/v1/metrics/cohorts/?start=2024-01&end=2024-02")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["cohort"] for row in results][:2] == ["2024-01", "2024-02"]
    assert results[0]["logo_retention"][:2] == [1.0, 1.0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "start"),
        ("?start=2024-01", "end"),
        ("?start=2024-13&end=2024-12", "start"),
        ("?start=2024-1&end=2024-12", "start"),
        ("?start=0000-01&end=2024-12", "start"),
        ("?start=2024-01-01&end=2024-12", "start"),
        ("?start=2024-05&end=2024-01", "end"),
        ("?start=2021-01&end=2024-01", "end"),
        ("?start=2024-01&end=2024-12&industry=Unknown", "industry"),
        ("?start=2024-01&end=2024-12&band=huge", "band"),
        ("?start=2024-01&end=2024-12&country=ZZ", "country"),
        ("?start=2024-01&end=2024-12&owner=nobody@example.com", "owner"),
        ("?start=%00&end=%ff", "start"),
    ],
)
def test_bad_cohort_requests_are_400_with_a_field_message(viewer_client, query, field):
    response = viewer_client.get(f"/api/v1/metrics/cohorts/{query}")

    assert response.status_code == 400
    assert response.json()[field]


@pytest.mark.django_db
def test_the_page_says_a_range_error_above_the_form_and_ignores_a_cohort_filter(
    viewer_client: Client,
) -> None:
    bad = viewer_client.get("/dashboard/cohorts/?start=2024-05&end=2024-01").content.decode()
    ignored = viewer_client.get("/dashboard/cohorts/?cohort=nonsense")

    assert 'filters-error" role="alert">The last month must not be before the first.' in bad
    assert ignored.status_code == 200
    assert 'name="cohort"' not in ignored.content.decode()


@pytest.mark.django_db
def test_the_api_needs_a_role(outsider_client):
    assert (
        outsider_client.get("/api/v1/metrics/cohorts/?start=2024-01&end=2024-12").status_code == 403
    )


# --- the page and the CSV --------------------------------------------------------------------


@pytest.fixture
def recent():
    """Two cohorts in the last 12 months: one churns, one expands."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    churned = AccountFactory(name="Churned")
    sub(churned, "200", add_months(this_month, -5), add_months(this_month, -2))
    kept = AccountFactory(name="Kept")
    sub(kept, "100", add_months(this_month, -5) + dt.timedelta(days=3))
    grower = AccountFactory(name="Grower")
    sub(grower, "50", add_months(this_month, -3), add_months(this_month, -1))
    sub(grower, "75", add_months(this_month, -1))
    return today


def cells(response) -> list[list[str]]:
    page = response.content.decode()
    rows = re.findall(r'<tr>\s*<th scope="row">.*?</tr>', page, re.S)
    return [re.findall(r'<td class="num cohort-cell"[^>]*>(.*?)</td>', row) for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "key"), [("", "logo_retention"), ("revenue", "revenue_retention")]
)
def test_the_page_shows_the_apis_numbers(viewer_client, recent, view, key):
    start, end = add_months(recent, -11), recent.replace(day=1)
    api = viewer_client.get(f"/api/v1/metrics/cohorts/?start={start:%Y-%m}&end={end:%Y-%m}")

    response = viewer_client.get(f"/dashboard/cohorts/?view={view}")

    assert response.status_code == 200
    expected = [[metric_value(rate, "rate") for rate in row[key]] for row in api.json()["results"]]
    assert cells(response) == expected
    assert len(expected) == 12
    assert sum(rate != "—" for row in expected for rate in row) == 6 + 4  # two cohorts


@pytest.mark.django_db
def test_the_page_shows_the_average_row_and_the_curves_behind_the_chart(viewer_client, recent):
    response = viewer_client.get("/dashboard/cohorts/")

    page = response.content.decode()
    average = re.search(r'<tr class="cohort-average">(.*?)</tr>', page, re.S).group(1)
    # Months 0-2: all three accounts of both cohorts still customers; month 3: the older
    # cohort has lost one of its two, the younger (one account) is in its running month;
    # months 4 and 5: only the older cohort has reached them.
    assert re.findall(r'<td class="num">(.*?)</td>', average)[:7] == [
        "3", "100.0%", "100.0%", "100.0%", "66.7%", "50.0%", "50.0%",
    ]  # fmt: skip
    curves = json.loads(
        re.search(
            r'id="cohort-curves-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert len(curves["cohorts"]) == 2 and curves["average"][:5] == [
        1.0,
        1.0,
        1.0,
        pytest.approx(2 / 3),
        0.5,
    ]
    assert curves["cohorts"][0]["label"] == add_months(recent, -5).strftime("%b %Y")


@pytest.mark.django_db
def test_the_page_states_the_definition_and_defaults_to_the_last_12_months(viewer_client, recent):
    response = viewer_client.get("/dashboard/cohorts/")

    page = response.content.decode()
    assert "<caption>" in page and "first customer day" in page
    assert f'value="{add_months(recent, -11):%Y-%m}"' in page
    assert f'value="{recent:%Y-%m}"' in page
    assert '<th scope="col" class="num">Month 11</th>' in page
    assert 'data-rate="0.500"' in page


@pytest.mark.django_db
def test_the_shade_stays_a_css_number_in_a_language_with_a_decimal_comma(viewer_client, recent):
    response = viewer_client.get("/dashboard/cohorts/", HTTP_ACCEPT_LANGUAGE="es")

    page = response.content.decode()
    assert 'data-rate="0.500"' in page
    assert "50,0" in page


@pytest.mark.django_db
def test_the_toggle_keeps_the_filters(viewer_client, recent):
    response = viewer_client.get("/dashboard/cohorts/?industry=Software&view=revenue")

    page = response.content.decode()
    assert 'href="?industry=Software"' in page
    assert 'href="?industry=Software&amp;view=revenue"' in page
    assert '<input type="hidden" name="view" value="revenue">' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "?start=2024-13",
        "?start=2024-1",  # YYYY-MM, as the API and the other pages read a month
        "?start=2024-05&end=2024-01",
        "?start=2020-01&end=2024-01",
        "?band=9",
    ],
)
def test_bad_page_filters_are_400_with_a_message_not_500(viewer_client, query):
    response = viewer_client.get(f"/dashboard/cohorts/{query}")

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert viewer_client.get(f"/dashboard/cohorts.csv{query}").status_code == 400


@pytest.mark.django_db
def test_the_page_needs_a_role(outsider_client, client):
    assert outsider_client.get("/dashboard/cohorts/").status_code == 403
    assert outsider_client.get("/dashboard/cohorts.csv").status_code == 403
    assert client.get("/dashboard/cohorts/").status_code == 302


@pytest.mark.django_db
def test_the_csv_has_one_row_per_cohort_and_month(viewer_client, recent):
    response = viewer_client.get("/dashboard/cohorts.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "cohort",
        "size",
        "mrr_first_month",
        "month_offset",
        "month",
        "logos",
        "mrr",
        "logo_retention",
        "revenue_retention",
    ]
    assert len(rows) == 12 * 13 // 2
    cohort = [row for row in rows if row["cohort"] == f"{add_months(recent, -5):%Y-%m}"]
    assert [row["logos"] for row in cohort] == ["2", "2", "2", "1", "1", "1"]
    assert [row["mrr"] for row in cohort][-1] == "100.00"
    assert cohort[3]["month"] == f"{add_months(recent, -2):%Y-%m}"
    assert rows[0]["logo_retention"] == ""  # an empty cohort has no rate


@pytest.mark.django_db
def test_the_page_costs_a_fixed_number_of_queries(
    viewer_client, recent, django_assert_max_num_queries
):
    for n in range(30):
        sub(AccountFactory(), str(10 + n), recent - dt.timedelta(days=10 * n))
    with django_assert_max_num_queries(8):
        assert viewer_client.get("/dashboard/cohorts/?view=revenue").status_code == 200


def test_percentages_are_rounded_not_cut_off():
    assert metric_value(2 / 3, "rate") == "66.7%"
    assert metric_value(0.99999, "rate") == "100.0%"
    assert metric_value(None, "rate") == "—"
