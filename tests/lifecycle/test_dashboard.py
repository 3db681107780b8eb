"""The overview dashboard: headline numbers with their change, charts, CSV, filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from lifecycle.metrics.periods import preset_period
from lifecycle.metrics.queries import period_metrics
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def embedded(response, element_id: str) -> dict:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, f"the page embeds no {element_id}"
    return json.loads(found.group(1))


def card_value(response, key: str) -> str:
    page = response.content.decode()
    found = re.search(rf'data-metric="{key}">.*?<p class="stat-value">(.*?)</p>', page, re.S)
    assert found, key
    return found.group(1).strip()


@pytest.fixture
def history():
    today = timezone.localdate()
    kept = AccountFactory(name="Kept", industry="Software")
    SubscriptionFactory(
        account=kept, mrr=Decimal("1000"), started_on=today - dt.timedelta(days=800)
    )
    lost = AccountFactory(name="Lost", industry="Retail")
    SubscriptionFactory(
        account=lost,
        mrr=Decimal("400"),
        started_on=today - dt.timedelta(days=700),
        ended_on=today - dt.timedelta(days=40),
        cancel_type="voluntary",
    )
    fresh = AccountFactory(name="Fresh", industry="Software")
    SubscriptionFactory(account=fresh, mrr=Decimal("250"), started_on=today - dt.timedelta(days=20))
    return today


def test_the_headline_numbers_are_the_metrics_of_the_period(viewer_client, history):
    response = viewer_client.get("/")

    period = preset_period("last-12-months", history)
    expected = period_metrics(period)
    assert response.status_code == 200
    assert card_value(response, "customers_end") == str(expected["customers_end"]) == "2"
    assert card_value(response, "mrr_end") == "1,250.00"
    assert card_value(response, "customer_churn_rate") == "50.0%"
    assert "How is this computed?" in response.content.decode()


def test_the_charts_cover_twelve_months_and_end_with_todays_state(viewer_client, history):
    data = embedded(viewer_client.get("/"), "overview-data")

    assert len(data["labels"]) == 12
    assert data["labels"][-1] == history.strftime("%Y-%m")
    assert data["customers_end"][-1] == 2
    assert data["mrr_end"][-1] == "1250.00"
    assert sum(Decimal(value) for value in data["churned_mrr"]) == Decimal("400")
    assert data["names"]["new_mrr"] == "New MRR"


def test_segment_filters_apply_to_numbers_and_charts(viewer_client, history):
    response = viewer_client.get("/?industry=Retail")

    assert card_value(response, "customers_end") == "0"
    assert embedded(response, "overview-data")["mrr_end"][-1] == "0.00"


def test_a_custom_period_is_kept_in_the_url_and_compared_with_the_one_before(
    viewer_client, history
):
    response = viewer_client.get("/?period=custom&start=2024-01-01&end=2024-04-01")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="2024-01-01"' in page
    assert "compared with Oct. 1, 2023 – Dec. 31, 2023" in page


@pytest.mark.parametrize(
    "query",
    [
        "?period=custom&start=2024-05-01&end=2024-01-01",
        "?period=custom&start=2024-05-01",
        "?band=9",
        "?cohort=2024-13",
        "?start=nonsense&end=2024-01-01",
    ],
)
def test_bad_filters_are_400_with_a_message_not_500(viewer_client, query):
    response = viewer_client.get(f"/{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_monthly_table_downloads_as_csv(viewer_client, history):
    response = viewer_client.get("/dashboard/series.csv?period=last-year")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 12
    assert {"start", "end", "mrr_end", "net_revenue_retention"} <= set(rows[0])
    last_year = preset_period("last-year", history)
    assert rows[0]["start"] == last_year.start.isoformat()


def test_the_dashboard_costs_a_fixed_number_of_queries(
    viewer_client, history, django_assert_max_num_queries
):
    for n in range(30):
        SubscriptionFactory(
            account=AccountFactory(),
            mrr=Decimal(10 + n),
            started_on=history - dt.timedelta(days=30 * n),
        )
    with django_assert_max_num_queries(12):
        viewer_client.get("/")


def test_the_dashboard_needs_a_role(outsider_client, client):
    assert outsider_client.get("/").status_code == 403
    assert client.get("/").status_code == 302


def test_a_period_with_no_customers_at_start_shows_dashes_not_errors(viewer_client):
    today = timezone.localdate()
    SubscriptionFactory(account=AccountFactory(), mrr=Decimal("90"), started_on=today)

    response = viewer_client.get("/?period=this-month")

    assert response.status_code == 200
    assert card_value(response, "customer_churn_rate") == "—"
