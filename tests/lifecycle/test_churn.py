"""The churn dashboard: churn by type month by month, by reason, by segment, the churned
accounts, their CSV downloads, and agreement with `period_metrics` on random histories."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from lifecycle.metrics.churn import (
    BREAKDOWNS,
    account_row,
    breakdown,
    breakdowns,
    by_reason,
    churned_accounts,
    type_series,
    type_split_by_month,
)
from lifecycle.metrics.periods import Period, buckets
from lifecycle.metrics.queries import Segment, period_metrics
from lifecycle.metrics.series import metric_series
from tests.factories import AccountFactory, SubscriptionFactory
from tests.histories import DAY0, period_after, replace_history

D = dt.date
YEAR_2024 = Period(D(2024, 1, 1), D(2025, 1, 1))
PAGE = "/dashboard/churn/"
CSV = "/dashboard/churn.csv"
IN_2024 = "period=custom&start=2024-01-01&end=2025-01-01"
TYPE_KEYS = [
    f"churned_{what}_{kind}"
    for what in ("customers", "mrr")
    for kind in ("voluntary", "involuntary", "unknown")
] + ["churned_customers", "churned_mrr"]


def sub(account, mrr, start, end=None, cancel_type="", reason=""):
    return SubscriptionFactory(
        account=account,
        mrr=Decimal(mrr),
        started_on=start,
        ended_on=end,
        cancel_type=cancel_type,
        cancel_reason=reason,
    )


@pytest.fixture
def history(db):
    """Five customers at the start of 2024; four of them churn during the year.

    Acme   Software 30 staff  300, ends 10 Mar, voluntary, "Too expensive"
    Bolt   Retail    5 staff  100 involuntary "Payment failed" + 50 voluntary, both end 20 May
    Core   Retail  500 staff  200, ends 1 Aug, no type, no reason
    Dune   Software 30 staff  400 all year, +100 from June (expansion)
    Echo   Software 30 staff  100 ends 15 Feb ("Missing features"); back with 80 in October,
                              gone again 1 Nov ("Too expensive " with a stray space)
    Fresh  Retail            new in April: never a customer at the start
    """
    owner = get_user_model().objects.create(username="olga", first_name="Olga", last_name="K")
    acme = AccountFactory(name="Acme", industry="Software", employees=30, owner=owner)
    sub(acme, "300", D(2023, 3, 1), D(2024, 3, 10), "voluntary", "Too expensive")
    bolt = AccountFactory(name="Bolt", industry="Retail", employees=5)
    sub(bolt, "100", D(2023, 6, 1), D(2024, 5, 20), "involuntary", "Payment failed")
    sub(bolt, "50", D(2023, 6, 1), D(2024, 5, 20), "voluntary", "Too expensive")
    core = AccountFactory(name="Core", industry="Retail", employees=500)
    sub(core, "200", D(2022, 1, 1), D(2024, 8, 1))
    dune = AccountFactory(name="Dune", industry="Software", employees=30)
    sub(dune, "400", D(2023, 1, 1))
    sub(dune, "100", D(2024, 6, 1))
    echo = AccountFactory(name="Echo", industry="Software", employees=30)
    sub(echo, "100", D(2023, 2, 1), D(2024, 2, 15), "voluntary", "Missing features")
    sub(echo, "80", D(2024, 10, 1), D(2024, 11, 1), "voluntary", "Too expensive ")
    sub(AccountFactory(name="Fresh", industry="Retail", employees=12), "300", D(2024, 4, 1))
    return {"acme": acme, "bolt": bolt, "core": core, "echo": echo}


# --- 1. voluntary and involuntary churn month by month ------------------------------------


def test_each_churned_account_takes_the_type_of_its_subscription_that_ended_last(history):
    m = period_metrics(YEAR_2024)

    assert (m["churned_customers"], m["churned_mrr"]) == (4, "750.00")
    assert (m["churned_customers_voluntary"], m["churned_mrr_voluntary"]) == (2, "400.00")
    assert (m["churned_customers_involuntary"], m["churned_mrr_involuntary"]) == (1, "150.00")
    assert (m["churned_customers_unknown"], m["churned_mrr_unknown"]) == (1, "200.00")


def test_the_monthly_series_splits_each_months_churn_by_type(history):
    series = {row["start"][:7]: row for row in type_series(YEAR_2024, Segment())}

    assert len(series) == 12
    assert series["2024-02"]["churned_mrr_voluntary"] == "100.00"  # Echo's first leaving
    assert series["2024-03"]["churned_mrr_voluntary"] == "300.00"  # Acme
    assert series["2024-05"]["churned_customers_involuntary"] == 1  # Bolt: larger MRR types
    assert series["2024-05"]["churned_mrr_involuntary"] == "150.00"
    assert series["2024-08"]["churned_mrr_unknown"] == "200.00"  # Core, no type recorded
    assert series["2024-11"]["churned_mrr_voluntary"] == "80.00"  # Echo again
    assert [row["churned_customers"] for row in series.values()] == [
        0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0,
    ]  # fmt: skip
    for bucket in buckets(YEAR_2024, "month"):
        expected = period_metrics(bucket)
        assert {k: series[bucket.start.isoformat()[:7]][k] for k in TYPE_KEYS} == {
            k: expected[k] for k in TYPE_KEYS
        }


def test_the_series_costs_one_query_for_any_number_of_months(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(type_series(Period(D(2022, 1, 1), D(2025, 1, 1)), Segment())) == 36


# --- 2. by cancellation reason ------------------------------------------------------------


def test_reasons_come_from_the_typing_subscription_largest_loss_first(history):
    reasons = by_reason(YEAR_2024, Segment())

    # Month by month: Echo's two leavings count apart, each with its own reason.
    assert [(r["label"], r["churned_customers"], r["churned_mrr"]) for r in reasons] == [
        ("Too expensive", 2, "380.00"),  # Acme 300 + Echo's second leaving 80 (trimmed)
        ("(no reason given)", 1, "200.00"),
        ("Payment failed", 1, "150.00"),
        ("Missing features", 1, "100.00"),  # Echo's first leaving
    ]


# --- 3. by industry, employee band and cohort ---------------------------------------------


def rows_of(rows):
    return [
        (
            r["label"],
            r["customers_start"],
            r["churned_customers"],
            r["customer_churn_rate"],
            r["churned_mrr"],
        )
        for r in rows
    ]


def test_breakdowns_group_the_customers_at_start_highest_churn_rate_first(history):
    industry = breakdown(YEAR_2024, Segment(), "industry")
    band = breakdown(YEAR_2024, Segment(), "band")
    cohort = breakdown(YEAR_2024, Segment(), "cohort")

    assert rows_of(industry) == [
        ("Retail", 2, 2, 1.0, "350.00"),  # Fresh was no customer at the start
        ("Software", 3, 2, pytest.approx(2 / 3), "400.00"),
    ]
    software = industry[1]
    assert (software["mrr_start"], software["expansion_mrr"]) == ("800.00", "100.00")
    assert software["gross_revenue_retention"] == 0.5
    assert software["net_revenue_retention"] == 0.625
    assert software["share_of_churned_mrr"] == pytest.approx(400 / 750)
    assert rows_of(band) == [
        ("201–1,000", 1, 1, 1.0, "200.00"),  # equal rates: the larger loss first
        ("1–10", 1, 1, 1.0, "150.00"),
        ("11–50", 3, 2, pytest.approx(2 / 3), "400.00"),
    ]
    assert rows_of(cohort) == [
        ("2022 Q1", 1, 1, 1.0, "200.00"),
        ("2023 Q2", 1, 1, 1.0, "150.00"),
        ("2023 Q1", 3, 2, pytest.approx(2 / 3), "400.00"),
    ]
    assert [r["key"] for r in cohort] == ["2022-Q1", "2023-Q2", "2023-Q1"]


@pytest.mark.parametrize(("by", "field"), [("industry", "industry"), ("band", "employee_band")])
def test_a_breakdown_row_is_the_period_metrics_of_that_segment(history, by, field):
    AccountFactory(name="No band", employees=None)  # an unknown band must not break rows
    for row in breakdown(YEAR_2024, Segment(), by):
        expected = period_metrics(YEAR_2024, Segment(**{field: row["key"]}))
        for key in ("customers_start", "churned_customers", "churned_mrr", "mrr_start"):
            assert row[key] == expected[key], (row["label"], key)
        for key in ("customer_churn_rate", "gross_revenue_retention", "net_revenue_retention"):
            assert row[key] == pytest.approx(expected[key]), (row["label"], key)


def test_each_breakdown_costs_one_query(history, django_assert_num_queries):
    for by in BREAKDOWNS:
        with django_assert_num_queries(1):
            breakdown(YEAR_2024, Segment(), by)


def test_the_three_breakdowns_together_cost_one_query_and_equal_each_alone(
    history, django_assert_num_queries
):
    with django_assert_num_queries(1):
        together = breakdowns(YEAR_2024, Segment(), BREAKDOWNS)

    assert together == {by: breakdown(YEAR_2024, Segment(), by) for by in BREAKDOWNS}
    assert all(together.values())


ODD_INDUSTRY = "{x} 100%"  # a format field and a placeholder's percent sign


def test_a_segment_value_like_sql_syntax_gives_the_numbers_of_a_plain_one(history):
    # The breakdowns and the series are SQL written around compiled querysets: the value
    # must reach the database as a parameter, never as text of the statement.
    plain = Segment(industry="Software")
    tables = breakdowns(YEAR_2024, plain, BREAKDOWNS)
    series = metric_series(YEAR_2024, "month", plain)
    Account.objects.filter(industry="Software").update(industry=ODD_INDUSTRY)
    odd = Segment(industry=ODD_INDUSTRY)

    odd_tables = breakdowns(YEAR_2024, odd, BREAKDOWNS)

    assert metric_series(YEAR_2024, "month", odd) == series
    assert series[2]["churned_customers"] == 1  # Acme in March: the numbers are not empty
    assert (odd_tables["band"], odd_tables["cohort"]) == (tables["band"], tables["cohort"])
    [row] = odd_tables["industry"]
    assert (row["key"], row["label"]) == (ODD_INDUSTRY, ODD_INDUSTRY)
    named = {"key": "Software", "label": "Software", "order": "Software"}
    assert [{**row, **named}] == tables["industry"]
    assert row["churned_customers"] == 2


def test_a_segment_matching_no_account_gives_empty_tables_and_zeros_like_the_orm(history):
    # An unknown band filters on `.none()`: the ORM reads no rows; the hand-written SQL
    # around the compiled querysets must too, not fail to compile.
    nobody = Segment(employee_band="no-such-band")
    expected = period_metrics(YEAR_2024, nobody)

    assert breakdowns(YEAR_2024, nobody, BREAKDOWNS) == {by: [] for by in BREAKDOWNS}
    for row in metric_series(YEAR_2024, "month", nobody):
        assert (row["customers_end"], row["mrr_end"], row["churned_mrr"]) == (0, "0.00", "0.00")
    assert (expected["customers_end"], expected["mrr_end"]) == (0, "0.00")


# --- 4. the churned accounts ----------------------------------------------------------------


def test_the_list_shows_every_churn_of_the_period_with_its_typing_subscription(history):
    events = list(churned_accounts(YEAR_2024, Segment()))

    # Every churn month by month, as the bars: Echo left in February and, back in October,
    # again in November; both are listed.
    assert [
        (e.account.name, e.ended_on, e.cancel_type, e.cancel_reason.strip(), e.mrr_s)
        for e in events
    ] == [
        ("Acme", D(2024, 3, 10), "voluntary", "Too expensive", Decimal("300")),
        ("Core", D(2024, 8, 1), "", "", Decimal("200")),
        ("Bolt", D(2024, 5, 20), "involuntary", "Payment failed", Decimal("150")),
        ("Echo", D(2024, 2, 15), "voluntary", "Missing features", Decimal("100")),
        ("Echo", D(2024, 11, 1), "voluntary", "Too expensive", Decimal("80")),
    ]
    assert [account_row(e, YEAR_2024)["joined_in_period"] for e in events] == [False] * 5


def test_an_account_that_joined_and_left_in_the_period_is_listed_and_marked(history):
    brief = AccountFactory(name="Brief", industry="Retail")
    sub(brief, "900", D(2024, 3, 1), D(2024, 9, 1), "voluntary", "Went with a competitor")

    events = list(churned_accounts(YEAR_2024, Segment()))
    rows = {e.account.name: account_row(e, YEAR_2024) for e in events}

    # The year's largest loss was not a customer on 1 January: the cohort view misses it.
    assert events[0].account.name == "Brief" and rows["Brief"]["joined_in_period"] is True
    assert period_metrics(YEAR_2024)["churned_customers"] == 4
    assert period_metrics(YEAR_2024)["summed_churned_customers"] == len(events) == 6


# --- the page ------------------------------------------------------------------------------


def embedded(response, element_id: str) -> dict:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, f"the page embeds no {element_id}"
    return json.loads(found.group(1))


def test_the_page_shows_every_section_for_the_period(viewer_client, history):
    response = viewer_client.get(f"{PAGE}?{IN_2024}")

    page = response.content.decode()
    assert response.status_code == 200
    # Churned MRR of a year is the sum of its months: Echo's two leavings, 100 and 80.
    assert re.search(
        r'data-metric="summed_churned_mrr">.*?"stat-value"><span title="\$830.00"[^>]*>\$830.00<',
        page,
        re.S,
    )
    assert re.search(r'data-metric="customer_churn_rate">.*?"stat-value">80.0%<', page, re.S)
    data = embedded(response, "churn-data")
    assert data["labels"][0] == "Jan 2024" and len(data["labels"]) == 12
    assert [t["key"] for t in data["types"]] == ["voluntary", "involuntary", "unknown"]
    assert data["types"][0]["mrr"][2] == "300.00"
    assert data["reasons"]["labels"] == [
        "Too expensive",
        "(no reason given)",
        "Payment failed",
        "Missing features",
    ]
    assert f'href="{history["acme"].get_absolute_url()}">Acme</a>' in page
    assert "Olga K" in page  # the owner
    assert page.index(">Acme</a>") < page.index(">Core</a>") < page.index(">Echo</a>")
    assert "above overall" in page  # Retail churned 100% against 80% overall
    assert "How is this computed?" in page
    assert "takes the cancellation type of its subscription" in page  # the definition


def test_the_filters_apply_to_every_section(viewer_client, history):
    response = viewer_client.get(f"{PAGE}?{IN_2024}&industry=Retail")

    page = response.content.decode()
    assert ">Bolt</a>" in page and ">Core</a>" in page
    assert ">Acme</a>" not in page
    data = embedded(response, "churn-data")
    assert data["reasons"]["labels"] == ["(no reason given)", "Payment failed"]


def test_the_tabs_link_overview_churn_and_cohorts_keeping_the_filters(viewer_client, history):
    churn = viewer_client.get(f"{PAGE}?{IN_2024}").content.decode()
    overview = viewer_client.get(f"/?{IN_2024}").content.decode()

    for page in (churn, overview):
        assert 'class="tabs"' in page
        assert 'href="/dashboard/cohorts/"' in page
    assert f'href="/?{IN_2024.replace("&", "&amp;")}"' in churn
    assert '<a href="/" aria-current="page">Dashboard</a>' in churn  # the main navigation
    assert re.search(r'href="/dashboard/churn/[^"]*"\s+aria-current="page"', churn)
    assert re.search(r'href="/\?[^"]*"\s+aria-current="page"', overview)


@pytest.mark.parametrize(
    "query",
    [
        "?period=custom&start=2024-05-01&end=2024-01-01",
        "?period=custom&start=2024-05-01",
        "?band=9",
        "?cohort=2024-13",
        "?start=nonsense&end=2024-01-01",
        "?period=forever",
    ],
)
def test_bad_filters_are_400_with_a_message_not_500(viewer_client, query):
    page = viewer_client.get(f"{PAGE}{query}")
    download = viewer_client.get(f"{CSV}{query}&table=reasons")

    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    assert download.status_code == 400


def test_an_unknown_csv_table_is_400(viewer_client):
    response = viewer_client.get(f"{CSV}?table=secrets")
    assert response.status_code == 400
    assert "reasons" in response.content.decode()


def test_a_period_without_churn_shows_empty_sections_not_errors(viewer_client, db):
    sub(AccountFactory(), "90", D(2024, 1, 10))

    response = viewer_client.get(f"{PAGE}?{IN_2024}")

    assert response.status_code == 200
    assert "No customer churned in this period." in response.content.decode()


def test_the_page_needs_the_dashboard_permission(outsider_client, client, viewer_client):
    assert outsider_client.get(PAGE).status_code == 403
    assert outsider_client.get(CSV).status_code == 403
    assert client.get(PAGE).status_code == 302
    assert viewer_client.get(PAGE).status_code == 200
    assert viewer_client.get(CSV).status_code == 200


# --- CSV downloads -------------------------------------------------------------------------


def download(client, table: str, query: str = IN_2024) -> list[dict[str, str]]:
    response = client.get(f"{CSV}?table={table}&{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"churn-{table}-" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_each_table_downloads_as_csv(viewer_client, history):
    series = download(viewer_client, "series")
    reasons = download(viewer_client, "reasons")
    industry = download(viewer_client, "industry")
    band = download(viewer_client, "band")
    cohort = download(viewer_client, "cohort")
    accounts = download(viewer_client, "accounts")

    assert len(series) == 12 and series[2]["churned_mrr_voluntary"] == "300.00"
    assert sum(int(row["churned_customers"]) for row in series) == 5  # Echo left twice
    assert [(r["reason"], r["churned_mrr"]) for r in reasons] == [
        ("Too expensive", "380.00"),
        ("", "200.00"),
        ("Payment failed", "150.00"),
        ("Missing features", "100.00"),
    ]
    assert industry[0] == {
        "segment": "Retail",
        "customers_start": "2",
        "churned_customers": "2",
        "customer_churn_rate": "1.0",
        "mrr_start": "350.00",
        "churned_mrr": "350.00",
        "share_of_churned_mrr": str(350 / 750),
        "gross_revenue_retention": "0.0",
        "net_revenue_retention": "0.0",
    }
    assert [row["segment"] for row in band] == ["201-1000", "1-10", "11-50"]
    assert [row["segment"] for row in cohort] == ["2022-Q1", "2023-Q2", "2023-Q1"]
    assert accounts[0] == {
        "account_id": str(history["acme"].pk),
        "account": "Acme",
        "industry": "Software",
        "owner": "Olga K",
        "churned_on": "2024-03-10",
        "type": "voluntary",
        "reason": "Too expensive",
        "churned_mrr": "300.00",
        "joined_in_period": "False",
    }
    assert [row["type"] for row in accounts] == [
        "voluntary",
        "unknown",
        "involuntary",
        "voluntary",
        "voluntary",
    ]


def test_the_accounts_csv_is_the_default_and_defuses_spreadsheet_formulas(viewer_client, db):
    account = AccountFactory(name="=HYPERLINK(evil)", industry="@Risk")
    sub(account, "50", D(2023, 1, 1), D(2024, 6, 1), "voluntary", "+1 month free?")

    response = viewer_client.get(f"{CSV}?{IN_2024}")

    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["account"], row["industry"], row["reason"]) == (
        "'=HYPERLINK(evil)",
        "'@Risk",
        "'+1 month free?",
    )


# --- query counts --------------------------------------------------------------------------


def churn_many(count: int) -> None:
    for n in range(count):
        account = AccountFactory(industry=("Software", "Retail")[n % 2], employees=5 + 40 * n)
        sub(account, str(10 + n), D(2023, 1 + n % 12, 1), D(2024, 1 + n % 12, 3), "voluntary")


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_costs_a_fixed_number_of_queries(
    viewer_client, count, django_assert_max_num_queries
):
    churn_many(count)
    # Session, user, permissions and the form's choices, then one query each for the
    # headline (both periods), its summed movements (each period), churn by month, by type,
    # by reason, the breakdowns and the list page.
    with django_assert_max_num_queries(15):
        response = viewer_client.get(f"{PAGE}?{IN_2024}")
    assert response.content.decode().count('<span class="badge badge-type-voluntary">') == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_and_its_csv_cost_no_query_per_account(
    viewer_client, count, django_assert_max_num_queries
):
    churn_many(count)
    with django_assert_max_num_queries(2):
        rows = [
            (e.account.name, e.account.owner_name) for e in churned_accounts(YEAR_2024, Segment())
        ]
    assert len(rows) == count
    with django_assert_max_num_queries(7):  # session, user, permissions, the form's choices
        assert len(download(viewer_client, "accounts")) == count


def test_the_list_pages_by_fifty(viewer_client, db):
    churn_many(55)

    first = viewer_client.get(f"{PAGE}?{IN_2024}").content.decode()
    second = viewer_client.get(f"{PAGE}?{IN_2024}&page=2").content.decode()

    assert first.count("badge-type-voluntary") == 50
    assert second.count("badge-type-voluntary") == 5
    assert "Page 2 of 2" in second
    assert f"?{IN_2024.replace('&', '&amp;')}&amp;page=2#churned-accounts" in first


# --- property: the one-query series equals period_metrics of each month -------------------

HORIZON = 150

histories = st.lists(
    st.tuples(
        st.integers(0, 4),  # account
        st.sampled_from([Decimal("0"), Decimal("25"), Decimal("25"), Decimal("99.99")]),
        st.integers(0, HORIZON),  # start day
        st.one_of(st.none(), st.sampled_from([1, 14, 30, 31, 45, 60])),  # length: ends collide
        st.sampled_from(["", "voluntary", "involuntary"]),
        st.sampled_from(["", "Too expensive", "Payment failed"]),
    ),
    max_size=14,
)


def create(rows) -> None:
    """Five accounts of two industries and three sizes, and the generated `rows`."""
    sizes = (5, 40, None)
    accounts = [
        {"industry": ("Retail", "Software")[i % 2], "employees": sizes[i % 3]} for i in range(5)
    ]
    replace_history(accounts, rows)


segments = st.sampled_from(
    [
        Segment(),
        Segment(industry="Retail"),
        Segment(cohort_month=DAY0),
        Segment(cohort_month=D(2024, 2, 1)),
    ]
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=histories, start=st.integers(1, HORIZON), length=st.integers(1, 120), segment=segments)
def test_the_type_series_equals_period_metrics_of_every_month(rows, start, length, segment):
    create(rows)
    period = period_after(start, length)

    series = type_series(period, segment)

    parts = buckets(period, "month")
    assert len(series) == len(parts)
    for got, part in zip(series, parts, strict=True):
        expected = period_metrics(part, segment)
        assert {key: got[key] for key in TYPE_KEYS} == {key: expected[key] for key in TYPE_KEYS}


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=histories, start=st.integers(1, HORIZON), length=st.integers(1, 120), segment=segments)
def test_reasons_breakdowns_and_list_add_up_to_period_metrics(rows, start, length, segment):
    create(rows)
    period = period_after(start, length)
    expected = period_metrics(period, segment)

    reasons = by_reason(period, segment)
    events = list(churned_accounts(period, segment))

    # The reasons and the list read the period month by month, as the summed movements.
    summed_customers, summed_mrr = (
        expected["summed_churned_customers"],
        Decimal(expected["summed_churned_mrr"]),
    )
    assert sum(r["churned_customers"] for r in reasons) == summed_customers
    assert sum(Decimal(r["churned_mrr"]) for r in reasons) == summed_mrr
    assert len(events) == summed_customers
    assert sum(e.mrr_s for e in events) == summed_mrr
    types = type_split_by_month(period, segment)
    assert sum(t["churned_customers"] for t in types) == summed_customers
    assert sum(Decimal(t["churned_mrr"]) for t in types) == summed_mrr
    for by in BREAKDOWNS:
        rows_ = breakdown(period, segment, by)
        for key in ("customers_start", "churned_customers"):
            assert sum(r[key] for r in rows_) == expected[key], (by, key)
        for key in ("mrr_start", "churned_mrr"):
            assert sum(Decimal(r[key]) for r in rows_) == Decimal(expected[key]), (by, key)
