"""Period metrics: hand-checked scenarios, the identities of docs/metrics.md, and the database
implementation against a brute-force reference on random subscription histories."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifecycle.metrics.periods import InvalidPeriod, Period
from lifecycle.metrics.queries import (
    Segment,
    period_metrics,
    revenue_metrics,
    revenue_metrics_of,
)
from tests.factories import AccountFactory, SubscriptionFactory, UserFactory
from tests.histories import DAY0, period_after, replace_history

D = dt.date
YEAR_2024 = Period(D(2024, 1, 1), D(2025, 1, 1))


def sub(account, mrr, start, end=None, cancel_type="", **extra):
    return SubscriptionFactory(
        account=account,
        mrr=Decimal(mrr),
        started_on=start,
        ended_on=end,
        cancel_type=cancel_type,
        **extra,
    )


@pytest.mark.django_db
def test_a_customer_who_churns_and_returns_inside_the_period_is_retained():
    account = AccountFactory()
    sub(account, "100", D(2023, 6, 1), D(2024, 3, 1), "voluntary")
    sub(account, "100", D(2024, 5, 1))

    m = period_metrics(YEAR_2024)

    assert (m["retained_customers"], m["churned_customers"], m["reactivated_customers"]) == (
        1,
        0,
        0,
    )
    assert m["customer_retention_rate"] == 1.0


@pytest.mark.django_db
def test_an_upgrade_then_a_downgrade_inside_the_period_cancel_out():
    account = AccountFactory()
    sub(account, "100", D(2023, 1, 1), D(2024, 3, 1))
    sub(account, "300", D(2024, 3, 1), D(2024, 9, 1))
    sub(account, "100", D(2024, 9, 1))

    m = period_metrics(YEAR_2024)

    assert m["expansion_mrr"] == "0.00" and m["contraction_mrr"] == "0.00"
    assert m["net_revenue_retention"] == 1.0


@pytest.mark.django_db
def test_a_one_day_subscription_is_acquired_but_neither_new_nor_churned():
    sub(AccountFactory(), "50", D(2024, 4, 10), D(2024, 4, 11))

    m = period_metrics(YEAR_2024)

    assert m["acquired_customers"] == 1
    assert (m["new_customers"], m["churned_customers"], m["customers_end"]) == (0, 0, 0)


@pytest.mark.django_db
def test_a_subscription_ending_on_the_periods_end_still_counts_at_the_end():
    sub(AccountFactory(), "80", D(2023, 1, 1), D(2025, 1, 1), "voluntary")

    assert period_metrics(YEAR_2024)["churned_customers"] == 0
    assert period_metrics(Period(D(2025, 1, 1), D(2025, 2, 1)))["churned_customers"] == 1


@pytest.mark.django_db
def test_a_churned_account_takes_the_type_of_its_largest_subscription_ending_last():
    account = AccountFactory()
    sub(account, "40", D(2023, 1, 1), D(2024, 6, 1), "voluntary")
    sub(account, "90", D(2023, 1, 1), D(2024, 6, 1), "involuntary")
    sub(account, "10", D(2023, 1, 1), D(2024, 2, 1), "voluntary")

    m = period_metrics(YEAR_2024)

    assert m["churned_customers_involuntary"] == 1
    assert m["churned_customers_voluntary"] == m["churned_customers_unknown"] == 0
    assert m["churned_mrr_involuntary"] == m["churned_mrr"] == "140.00"


@pytest.mark.django_db
def test_rates_are_null_when_nobody_was_a_customer_at_the_start():
    sub(AccountFactory(), "100", D(2024, 2, 1))

    m = period_metrics(YEAR_2024)

    assert m["customers_start"] == 0 and m["new_customers"] == 1
    for key in (
        "customer_retention_rate",
        "gross_revenue_retention",
        "net_revenue_retention",
        "quick_ratio",
    ):
        assert m[key] is None, key
    assert m["expansion_share"] == 0.0


@pytest.mark.django_db
def test_new_and_reactivated_customers_and_their_mrr():
    returning = AccountFactory()
    sub(returning, "70", D(2022, 1, 1), D(2023, 1, 1), "involuntary")
    sub(returning, "75", D(2024, 3, 1))
    sub(AccountFactory(), "200", D(2024, 7, 1))

    m = period_metrics(YEAR_2024)

    assert (m["new_customers"], m["new_mrr"]) == (1, "200.00")
    assert (m["reactivated_customers"], m["reactivation_mrr"]) == (1, "75.00")
    assert m["acquired_customers"] == 1


@pytest.mark.django_db
def test_segments_filter_the_accounts_measured():
    sub(AccountFactory(industry="Retail", employees=30), "100", D(2023, 1, 1))
    sub(AccountFactory(industry="Software", employees=500), "900", D(2023, 1, 1))
    cohort = AccountFactory(industry="Software", employees=500)
    sub(cohort, "50", D(2024, 2, 10))

    assert period_metrics(YEAR_2024, Segment(industry="Retail"))["mrr_end"] == "100.00"
    assert period_metrics(YEAR_2024, Segment(employee_band="201-1000"))["mrr_end"] == "950.00"
    assert period_metrics(YEAR_2024, Segment(cohort_month=D(2024, 2, 1)))["customers_end"] == 1


@pytest.mark.django_db
def test_the_metrics_cost_a_fixed_number_of_queries_whatever_the_data_size(
    django_assert_num_queries,
):
    for n in range(25):
        sub(
            AccountFactory(),
            str(10 + n),
            D(2023, 1 + n % 12, 1),
            D(2024, 1 + n % 12, 15) if n % 3 else None,
        )
    segment = Segment(industry="Software", employee_band="11-50")
    with django_assert_num_queries(1):
        revenue_metrics(YEAR_2024, segment)
    with django_assert_num_queries(1):  # a period and the one before it: still one scan
        revenue_metrics_of([YEAR_2024, YEAR_2024.previous()], segment)
    # Customers and revenue, the summed movements, survey answers, survey invitations
    # (test_survey_metrics.py), email engagement (test_email_metrics.py).
    with django_assert_num_queries(5):
        period_metrics(YEAR_2024, segment)


def test_a_period_must_end_after_it_starts():
    with pytest.raises(InvalidPeriod):
        Period(D(2024, 1, 1), D(2024, 1, 1))


# --- the command and the API return the same object ---------------------------------------


@pytest.mark.django_db
def test_the_command_and_the_api_return_the_same_object(viewer_client):
    sub(AccountFactory(), "100", D(2023, 1, 1), D(2024, 5, 1), "voluntary")
    sub(AccountFactory(), "250", D(2024, 2, 1))
    out = StringIO()

    call_command("metrics", "--start", "2024-01-01", "--end", "2025-01-01", "--json", stdout=out)
    api = viewer_client.get("/api/v1/metrics/?start=2024-01-01&end=2025-01-01")

    assert api.status_code == 200
    assert json.loads(out.getvalue()) == api.json()
    assert api.json()["churned_mrr_voluntary"] == "100.00"


# The keys of docs/metrics.md, in the order the command and the API print them.
METRICS_KEYS = [
    "start",
    "end",
    "customers_start",
    "customers_end",
    "retained_customers",
    "churned_customers",
    "new_customers",
    "reactivated_customers",
    "acquired_customers",
    "churned_customers_voluntary",
    "churned_customers_involuntary",
    "churned_customers_unknown",
    "customer_retention_rate",
    "customer_churn_rate",
    "mrr_start",
    "mrr_end",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "churned_mrr_voluntary",
    "churned_mrr_involuntary",
    "churned_mrr_unknown",
    "gross_revenue_retention",
    "net_revenue_retention",
    "revenue_churn_rate",
    "net_revenue_churn_rate",
    "expansion_share",
    "quick_ratio",
    "summed_new_mrr",
    "summed_reactivation_mrr",
    "summed_expansion_mrr",
    "summed_contraction_mrr",
    "summed_churned_mrr",
    "summed_new_customers",
    "summed_reactivated_customers",
    "summed_churned_customers",
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
    "emails_sent",
    "unique_opens",
    "unique_clicks",
    "emails_bounced",
    "unsubscribes",
    "open_rate",
    "click_rate",
    "click_to_open_rate",
    "bounce_rate",
    "unsubscribe_rate",
]
EMAIL_KEYS = METRICS_KEYS[METRICS_KEYS.index("emails_sent") :]


@pytest.mark.django_db
def test_the_command_prints_exactly_the_keys_of_metrics_md(viewer_client):
    out = StringIO()

    call_command("metrics", "--start", "2024-01-01", "--end", "2025-01-01", "--json", stdout=out)

    assert list(json.loads(out.getvalue())) == METRICS_KEYS
    series = viewer_client.get("/api/v1/metrics/series/?start=2024-01-01&end=2024-02-01")
    # Per bucket: everything but the churn split, the response rate, email engagement and the
    # summed movements (a bucket's own movements are its sums) (docs/metrics.md).
    assert list(series.json()["results"][0]) == [
        key
        for key in METRICS_KEYS
        if not key.startswith("churned_customers_")
        and not key.startswith("churned_mrr_")
        and key != "survey_response_rate"
        and key not in EMAIL_KEYS
        and not key.startswith("summed_")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?start=2024-01-01",
        "?start=2024-13-01&end=2025-01-01",
        "?start=2024-02-01&end=2024-01-01",
        "?start=2024-01-01&end=2024-01-01",
        "?start=2024-01-01&end=2025-01-01&industry=Unknown",
        "?start=2024-01-01&end=2025-01-01&band=huge",
        "?start=2024-01-01&end=2025-01-01&cohort=2024-13",
        "?start=2024-01-01&end=2025-01-01&owner=nobody@example.com",
        "?start=%00&end=%ff",
    ],
)
def test_bad_metrics_requests_are_400_with_a_message(viewer_client, query):
    response = viewer_client.get(f"/api/v1/metrics/{query}")
    assert response.status_code == 400
    assert response.json()


DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
YEAR = "/api/v1/metrics/?start=2024-01-01&end=2025-01-01"
COHORTS = "/api/v1/metrics/cohorts/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body"),
    [
        (
            "/api/v1/metrics/",
            {"start": ["This field is required."], "end": ["This field is required."]},
        ),
        ("/api/v1/metrics/?start=&end=2025-01-01", {"start": [DATE_FORMAT]}),
        ("/api/v1/metrics/?start=01/05/2024&end=2025-01-01", {"start": [DATE_FORMAT]}),  # ISO only
        (
            "/api/v1/metrics/?start=2024-02-01&end=2024-01-01",
            {"end": ["end must be after start (the period is [start, end))."]},
        ),
        # The period is checked once every field is valid.
        (
            "/api/v1/metrics/?start=2024-02-01&end=2024-01-01&band=huge",
            {"band": ['"huge" is not a valid choice.']},
        ),
        (f"{YEAR}&industry=Unknown", {"industry": ["No account has this industry."]}),
        (f"{YEAR}&country=zz", {"country": ["No account is in this country."]}),
        (f"{YEAR}&owner=abc", {"owner": ["Enter a valid email address."]}),
        (f"{YEAR}&owner=a@b.test", {"owner": ["No user has this email."]}),
        (f"{YEAR}&cohort=2024-1", {"cohort": ["This value does not match the required pattern."]}),
        (f"{YEAR}&cohort=0000-01", {"cohort": ["Give a month as YYYY-MM."]}),
        (f"{COHORTS}?start=&end=2024-06", {"start": ["This field may not be blank."]}),
        (f"{COHORTS}?start=0000-01&end=2024-06", {"start": ["Give a month as YYYY-MM."]}),
        (
            f"{COHORTS}?start=2024-05&end=2024-01",
            {"end": ["The last month must not be before the first."]},
        ),
        (f"{COHORTS}?start=2021-01&end=2024-01", {"end": ["At most 36 months at a time."]}),
    ],
)
def test_the_api_words_its_400s_as_it_always_has(
    viewer_client: Client, url: str, body: dict
) -> None:
    response = viewer_client.get(url)

    assert response.status_code == 400
    assert response.json() == body


@pytest.mark.django_db
def test_the_api_answers_in_drfs_translation_of_its_messages(viewer_client: Client) -> None:
    response = viewer_client.get(
        "/api/v1/metrics/?start=x&end=2025-01-01&band=huge", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.json()["band"] == ['"huge" no es una elección válida.']
    assert response.json()["start"][0].startswith("Fecha con formato erróneo.")


@pytest.mark.django_db
def test_the_command_names_each_bad_option_as_it_always_has() -> None:
    with pytest.raises(CommandError) as failure:
        call_command(
            "metrics",
            *("--start", "2024-01-01", "--end", "2025-01-01", "--industry", "Unknown"),
            *("--band", "huge", "--owner", "nobody@example.com", "--cohort", "2024-13"),
        )

    assert str(failure.value) == (
        "--industry: No account has this industry.; "
        '--band: "huge" is not a valid choice.; '
        "--owner: No user has this email.; "
        "--cohort: This value does not match the required pattern."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2024-02-01", "--end", "2024-01-01"), "--end: end must be after start"),
        (("--start", "x", "--end", ""), f"--start: {DATE_FORMAT}; --end: {DATE_FORMAT}"),
        (("--start", "2024-01-01", "--end", "2025-01-01", "--cohort", "0000-01"), "--cohort: Give"),
    ],
)
def test_the_command_refuses_a_bad_period_or_month_in_one_line(
    args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError) as failure:
        call_command("metrics", *args)

    assert str(failure.value).startswith(message)


@pytest.mark.django_db
def test_an_owner_is_named_by_email_or_by_id_in_the_command_and_the_api(
    viewer_client: Client,
) -> None:
    owner = UserFactory(email="Olga@Example.com")
    sub(AccountFactory(owner=owner), "100", D(2023, 1, 1))
    sub(AccountFactory(), "900", D(2023, 1, 1))
    period = ("--start", "2024-01-01", "--end", "2025-01-01", "--json")
    by_email, by_id = StringIO(), StringIO()

    call_command("metrics", *period, "--owner", "olga@example.com", stdout=by_email)
    call_command("metrics", *period, "--owner", str(owner.pk), stdout=by_id)
    api = viewer_client.get(f"/api/v1/metrics/?start=2024-01-01&end=2025-01-01&owner={owner.pk}")

    assert json.loads(by_email.getvalue())["mrr_end"] == "100.00"
    assert json.loads(by_id.getvalue()) == json.loads(by_email.getvalue()) == api.json()


# --- property: the database agrees with a brute-force reference --------------------------

HORIZON = 120  # days of history in generated examples


def reference_mrr(subs, account, day):
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


def reference_metrics(subs, start, end):
    """docs/metrics.md read literally, one day at a time."""
    accounts = {s["account"] for s in subs}
    before, last = start - dt.timedelta(days=1), end - dt.timedelta(days=1)
    mrr_s = {a: reference_mrr(subs, a, before) for a in accounts}
    mrr_e = {a: reference_mrr(subs, a, last) for a in accounts}
    days = [DAY0 + dt.timedelta(days=i) for i in range(-1, HORIZON + 2)]
    first = {a: next((d for d in days if reference_mrr(subs, a, d) > 0), None) for a in accounts}
    a_s = {a for a in accounts if mrr_s[a] > 0}
    a_e = {a for a in accounts if mrr_e[a] > 0}
    joined = a_e - a_s
    new = {a for a in joined if first[a] >= start}
    retained = a_s & a_e
    return {
        "customers_start": len(a_s),
        "customers_end": len(a_e),
        "retained_customers": len(retained),
        "churned_customers": len(a_s - a_e),
        "new_customers": len(new),
        "reactivated_customers": len(joined - new),
        "acquired_customers": len({a for a in accounts if first[a] and start <= first[a] < end}),
        "mrr_start": sum((mrr_s[a] for a in a_s), Decimal(0)),
        "mrr_end": sum((mrr_e[a] for a in a_e), Decimal(0)),
        "new_mrr": sum((mrr_e[a] for a in new), Decimal(0)),
        "expansion_mrr": sum((max(Decimal(0), mrr_e[a] - mrr_s[a]) for a in retained), Decimal(0)),
        "contraction_mrr": sum(
            (max(Decimal(0), mrr_s[a] - mrr_e[a]) for a in retained), Decimal(0)
        ),
        "churned_mrr": sum((mrr_s[a] for a in a_s - a_e), Decimal(0)),
    }


def create_history(rows, industries=("",)):
    """Six accounts (industries in turn) and the generated `rows`, as the reference reads them."""
    return replace_history([{"industry": industries[i % len(industries)]} for i in range(6)], rows)


subscription_rows = st.lists(
    st.tuples(
        st.integers(0, 5),  # account
        st.sampled_from(
            [Decimal("0"), Decimal("10.50"), Decimal("25"), Decimal("99.99"), Decimal("300")]
        ),
        st.integers(0, HORIZON),  # start day
        st.one_of(st.none(), st.integers(1, 60)),  # length in days, or open-ended
        st.sampled_from(["", "voluntary", "involuntary"]),
    ),
    max_size=14,
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=subscription_rows, start=st.integers(1, HORIZON - 1), length=st.integers(1, 60))
def test_the_database_agrees_with_the_reference_and_the_identities_hold(rows, start, length):
    subs = create_history(rows)
    period = period_after(start, length)

    got = period_metrics(period)
    expected = reference_metrics(subs, period.start, period.end)

    for key, value in expected.items():
        assert Decimal(str(got[key])) == value, key
    assert got["customers_end"] == (
        got["customers_start"]
        - got["churned_customers"]
        + got["new_customers"]
        + got["reactivated_customers"]
    )
    money = {
        key: Decimal(got[key])
        for key in (
            "mrr_start",
            "mrr_end",
            "new_mrr",
            "reactivation_mrr",
            "expansion_mrr",
            "contraction_mrr",
            "churned_mrr",
        )
    }
    assert money["mrr_end"] == (
        money["mrr_start"]
        + money["new_mrr"]
        + money["reactivation_mrr"]
        + money["expansion_mrr"]
        - money["contraction_mrr"]
        - money["churned_mrr"]
    )
    split = ("voluntary", "involuntary", "unknown")
    assert sum(got[f"churned_customers_{t}"] for t in split) == got["churned_customers"]
    assert sum(Decimal(got[f"churned_mrr_{t}"]) for t in split) == money["churned_mrr"]


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=subscription_rows,
    periods=st.lists(
        st.tuples(st.integers(1, HORIZON - 1), st.integers(1, 60)), min_size=2, max_size=3
    ),
)
def test_several_periods_in_one_query_equal_each_period_alone(rows, periods):
    create_history(rows)
    asked = [period_after(start, length) for start, length in periods]

    together = revenue_metrics_of(asked)

    assert together == [revenue_metrics(period) for period in asked]


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=subscription_rows,
    start=st.integers(1, HORIZON - 1),
    length=st.integers(1, 90),
    granularity=st.sampled_from(["week", "month", "quarter"]),
    segment=st.sampled_from(
        [Segment(), Segment(industry="Retail"), Segment(cohort_month=D(2024, 2, 1))]
    ),
)
def test_the_series_equals_the_metrics_of_each_bucket(rows, start, length, granularity, segment):
    from lifecycle.metrics.periods import buckets
    from lifecycle.metrics.series import metric_series

    create_history(rows, industries=("Retail", "Software"))
    period = period_after(start, length)

    series = metric_series(period, granularity, segment)
    expected = [period_metrics(bucket, segment) for bucket in buckets(period, granularity)]

    assert len(series) == len(expected)
    for got, want in zip(series, expected, strict=True):
        assert got == {key: want[key] for key in got}


@pytest.mark.django_db
def test_the_series_costs_two_queries_for_any_number_of_months(django_assert_num_queries):
    from lifecycle.metrics.series import metric_series

    sub(AccountFactory(), "100", D(2023, 1, 1))
    with django_assert_num_queries(2):  # subscriptions, then survey answers
        assert len(metric_series(Period(D(2022, 1, 1), D(2025, 1, 1)))) == 36


@pytest.mark.django_db
def test_the_longest_series_the_api_allows_runs_on_every_database(viewer_client):
    # 156 weeks x 14 side-by-side aggregates once broke PostgreSQL's 1,664-column limit.
    sub(AccountFactory(), "100", D(2023, 1, 2), D(2024, 1, 1), "voluntary")

    response = viewer_client.get(
        "/api/v1/metrics/series/?start=2022-01-03&end=2024-12-30&granularity=week"
    )

    results = response.json()["results"]
    assert len(results) == 156
    assert [row["start"] for row in results if row["new_customers"]] == ["2023-01-02"]
    assert [row["start"] for row in results if row["churned_customers"]] == ["2024-01-01"]
    assert results[60]["mrr_end"] == "100.00"


@pytest.mark.django_db
def test_weeks_across_a_new_year_follow_the_iso_calendar():
    from lifecycle.metrics.series import metric_series

    # 1 January 2021, a Friday, is in ISO week 53 of 2020: the week of Monday 28 December.
    sub(AccountFactory(), "100", D(2021, 1, 1), D(2021, 1, 5), "voluntary")

    series = metric_series(Period(D(2020, 12, 21), D(2021, 1, 11)), "week")

    assert [(row["start"], row["acquired_customers"]) for row in series] == [
        ("2020-12-21", 0),
        ("2020-12-28", 1),
        ("2021-01-04", 0),
    ]
    assert [row["churned_customers"] for row in series] == [0, 0, 1]
    assert series[1]["mrr_end"] == "100.00"


@pytest.mark.django_db
def test_the_series_api_returns_one_object_per_month(viewer_client):
    sub(AccountFactory(), "100", D(2023, 6, 1), D(2024, 3, 1), "voluntary")

    response = viewer_client.get("/api/v1/metrics/series/?start=2024-01-01&end=2024-07-01")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["start"] for row in results][:2] == ["2024-01-01", "2024-02-01"]
    assert [row["churned_customers"] for row in results] == [0, 0, 1, 0, 0, 0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "?start=2024-01-01&end=2024-07-01&granularity=day",
        "?start=2020-01-01&end=2024-01-01&granularity=week",  # 209 weeks, within 156 months
    ],
)
def test_the_series_api_refuses_unknown_or_too_many_buckets(viewer_client, query):
    response = viewer_client.get(f"/api/v1/metrics/series/{query}")
    assert response.status_code == 400
    assert "granularity" in response.json()


SUMMED = ["new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"]
SUMMED_COUNTS = ["new_customers", "reactivated_customers", "churned_customers"]


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=subscription_rows, start=st.integers(1, HORIZON - 1), length=st.integers(1, 120))
def test_the_summed_movements_are_the_sums_of_the_monthly_series_and_telescope(rows, start, length):
    from lifecycle.metrics.series import metric_series

    create_history(rows)
    period = period_after(start, length)

    got = period_metrics(period)
    months = metric_series(period, "month")

    for key in SUMMED:
        assert Decimal(got[f"summed_{key}"]) == sum(Decimal(m[key]) for m in months), key
    for key in SUMMED_COUNTS:
        assert got[f"summed_{key}"] == sum(m[key] for m in months), key
    assert Decimal(got["mrr_end"]) == (
        Decimal(got["mrr_start"])
        + Decimal(got["summed_new_mrr"])
        + Decimal(got["summed_reactivation_mrr"])
        + Decimal(got["summed_expansion_mrr"])
        - Decimal(got["summed_contraction_mrr"])
        - Decimal(got["summed_churned_mrr"])
    )
    if len(months) == 1:  # one calendar month (or part of one): the same as unsummed
        for key in SUMMED + SUMMED_COUNTS:
            assert got[f"summed_{key}"] == got[key], key


@pytest.mark.django_db
def test_a_customer_who_churns_and_returns_within_a_year_counts_in_both_readings():
    account = AccountFactory()
    SubscriptionFactory(
        account=account, mrr=Decimal("100"), started_on=D(2023, 1, 1), ended_on=D(2024, 3, 1)
    )
    SubscriptionFactory(account=account, mrr=Decimal("100"), started_on=D(2024, 6, 1))

    got = period_metrics(YEAR_2024)

    # Between the ends nothing changed; month by month it churned in March, came back in June.
    assert (got["churned_customers"], got["reactivated_customers"]) == (0, 0)
    assert (got["summed_churned_customers"], got["summed_reactivated_customers"]) == (1, 1)
    assert (got["summed_churned_mrr"], got["summed_reactivation_mrr"]) == ("100.00", "100.00")
