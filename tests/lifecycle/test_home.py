"""The dashboard: today's customers and MRR, and the twelve-month MRR chart."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.lib.dates import month_ends
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def chart_data(response) -> dict:
    found = re.search(
        r'<script id="mrr-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the page embeds no mrr-chart-data"
    return json.loads(found.group(1))


def stat(response, label: str) -> str:
    found = re.search(
        rf'<p class="stat-label">{label}</p>\s*<p class="stat-value">(.*?)</p>',
        response.content.decode(),
    )
    assert found, f"no {label} card"
    return found.group(1)


@pytest.fixture
def book(db) -> None:
    """Two customers paying 1,000.00 + 250.75 today, one churned, one prospect."""
    big = AccountFactory(name="Big")
    SubscriptionFactory(account=big, mrr=Decimal("1000.00"), started_on=days_ago(500))
    small = AccountFactory(name="Small")
    SubscriptionFactory(account=small, mrr=Decimal("200.00"), started_on=days_ago(40))
    SubscriptionFactory(account=small, mrr=Decimal("50.75"), started_on=today())
    SubscriptionFactory(account=small, mrr=Decimal("0.00"), started_on=days_ago(40))
    gone = AccountFactory(name="Gone")
    SubscriptionFactory(
        account=gone, mrr=Decimal("80.00"), started_on=days_ago(300), ended_on=today()
    )
    AccountFactory(name="Lead")
    SubscriptionFactory(account=AccountFactory(name="Trial"), mrr=Decimal("0.00"))


# Access


def test_a_viewer_sees_the_dashboard(viewer_client):
    response = viewer_client.get("/")

    assert response.status_code == 200
    assert b"<h1>Dashboard</h1>" in response.content


def test_a_signed_in_user_without_a_role_may_not_see_the_dashboard(outsider_client):
    assert outsider_client.get("/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


# Numbers


def test_the_dashboard_shows_todays_customers_and_mrr(viewer_client, book):
    response = viewer_client.get("/")

    assert stat(response, "Customers") == "2"
    assert stat(response, "MRR") == "1,250.75"
    assert stat(response, "Churned accounts") == "1"
    assert stat(response, "All accounts") == "5"


def test_the_dashboard_of_an_empty_crm_shows_zeros(viewer_client):
    response = viewer_client.get("/")

    assert stat(response, "Customers") == "0"
    assert stat(response, "MRR") == "0.00"
    assert chart_data(response)["mrr"] == ["0"] * 12


def test_the_chart_covers_twelve_months_ending_with_todays_mrr(viewer_client, book):
    response = viewer_client.get("/")

    chart = chart_data(response)
    assert chart["labels"] == [day.strftime("%Y-%m") for day in month_ends(today(), 12)]
    assert chart["labels"][-1] == today().strftime("%Y-%m")
    assert Decimal(chart["mrr"][-1]) == Decimal("1250.75")
    assert Decimal(chart["mrr"][-1]) == Decimal(stat(response, "MRR").replace(",", ""))


def test_the_chart_counts_each_month_end_by_the_subscriptions_active_that_day(viewer_client):
    ends = month_ends(today(), 12)
    SubscriptionFactory(mrr=Decimal("10.00"), started_on=ends[0] - dt.timedelta(days=400))
    SubscriptionFactory(mrr=Decimal("5.00"), started_on=ends[6])  # from the 7th point on
    # Ends on the day of the 4th point: that day is already without service.
    SubscriptionFactory(mrr=Decimal("1.00"), started_on=ends[0], ended_on=ends[3])

    chart = chart_data(viewer_client.get("/"))

    expected = [Decimal("11")] * 3 + [Decimal("10")] * 3 + [Decimal("15")] * 6
    assert [Decimal(value) for value in chart["mrr"]] == expected


def test_the_chart_is_also_offered_as_a_table(viewer_client, book):
    response = viewer_client.get("/")

    page = response.content.decode()
    assert f'<td>{today().strftime("%Y-%m")}</td><td class="num">1250.75</td>' in page


def test_the_dashboard_costs_the_same_queries_for_3_and_for_30_accounts(
    viewer_client, django_assert_max_num_queries
):
    def add_accounts(count: int) -> None:
        for _ in range(count):
            account = AccountFactory(owner=UserFactory())
            ContactFactory.create_batch(2, account=account)
            SubscriptionFactory(account=account, started_on=days_ago(100), ended_on=days_ago(20))
            SubscriptionFactory(account=account, started_on=days_ago(19))

    add_accounts(3)
    viewer_client.get("/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_three:
        viewer_client.get("/")
    add_accounts(27)

    with django_assert_max_num_queries(len(with_three)):
        response = viewer_client.get("/")

    assert stat(response, "Customers") == "30"
