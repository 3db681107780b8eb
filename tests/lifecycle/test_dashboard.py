"""The overview dashboard: headline numbers with their change, charts, CSV, filters."""

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

from accounts.models import Account
from lifecycle.metrics.dashboard import revenue_cards
from lifecycle.metrics.periods import Period, preset_period
from lifecycle.metrics.queries import Segment, period_metrics
from surveys.models import Response
from tests.factories import (
    AccountFactory,
    ContactFactory,
    SubscriptionFactory,
    UserFactory,
    survey,
)

pytestmark = pytest.mark.django_db


def embedded(response, element_id: str) -> dict:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, f"the page embeds no {element_id}"
    return json.loads(found.group(1))


def answer(account, kind, score, day, comment=""):
    """An answer given at noon (site time) on `day`, without invitation or subscription."""
    return Response.objects.create(
        survey=survey(kind),
        kind=kind,
        contact=ContactFactory(account=account, first_name="Rosa", last_name="Díaz"),
        account=account,
        score=score,
        comment=comment,
        submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
    )


def card_value(response, key: str) -> str:
    page = response.content.decode()
    found = re.search(rf'data-metric="{key}">.*?<p class="stat-value">(.*?)</p>', page, re.S)
    assert found, key
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def card_exact(response, key: str) -> str:
    """The exact amount a money card shows on hover."""
    page = response.content.decode()
    found = re.search(
        rf'data-metric="{key}">.*?<p class="stat-value"><span title="(.*?)"', page, re.S
    )
    assert found, key
    return found.group(1)


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
    assert card_value(response, "mrr_end") == "$1,250.00"
    assert card_exact(response, "mrr_end") == "$1,250.00"
    assert card_value(response, "customer_churn_rate") == "50.0%"
    assert "How is this computed?" in response.content.decode()


def test_the_charts_cover_twelve_months_and_end_with_todays_state(viewer_client, history):
    data = embedded(viewer_client.get("/"), "overview-data")

    assert len(data["labels"]) == 12
    assert data["labels"][-1] == history.strftime("%b %Y")
    assert data["partial"] is True and data["so_far"] == "so far"
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
    assert "compared with Oct 1, 2023 – Dec 31, 2023" in page


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


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?band=9", "Select a valid choice. 9 is not one of the available choices."),
        ("?period=custom&start=2024-05-01", "Give both dates of a custom period."),
        ("?cohort=2024-1", "Give a month as YYYY-MM."),
        ("?owner=nobody@example.com", "Select a valid choice. That choice is not one of"),
    ],
)
def test_bad_filters_are_worded_as_on_every_page(
    viewer_client: Client, history: dt.date, query: str, message: str
) -> None:
    page = viewer_client.get(f"/{query}").content.decode()
    download = viewer_client.get(f"/dashboard/series.csv{query}").content.decode()

    assert message in page
    assert message in download


def test_an_owner_is_chosen_by_id_or_named_by_email(
    viewer_client: Client, history: dt.date
) -> None:
    owner = UserFactory(username="olga", email="olga@example.com")
    Account.objects.filter(name="Kept").update(owner=owner)

    by_id = viewer_client.get(f"/?owner={owner.pk}")
    by_email = viewer_client.get("/?owner=Olga@Example.com")

    assert card_value(by_id, "mrr_end") == card_value(by_email, "mrr_end") == "$1,000.00"
    assert f'<option value="{owner.pk}" selected>olga</option>' in by_id.content.decode()


def test_the_owner_picker_lists_the_owners_of_accounts(
    viewer_client: Client, history: dt.date
) -> None:
    owner = UserFactory(username="olga")
    AccountFactory(owner=owner)

    page = viewer_client.get("/").content.decode()

    assert f'<option value="{owner.pk}">olga</option>' in page
    assert ">viewer</option>" not in page  # signed in, but owns no account


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
        account = AccountFactory()
        SubscriptionFactory(
            account=account, mrr=Decimal(10 + n), started_on=history - dt.timedelta(days=30 * n)
        )
        answer(account, "nps", n % 11, history - dt.timedelta(days=10 * n), comment=f"n{n}")
        answer(account, "csat", 1 + n % 5, history - dt.timedelta(days=9 * n))
    # Session, user, two for permissions, two for the form's choices; revenue of the period
    # and the previous one (one scan), answers of each; the revenue series and the survey
    # series; the NPS by MRR band; the latest comments (with their contact and account);
    # email engagement and the summed movements of the period and the one before it; the
    # revenue-per-customer cards (revenue and summed movements of both periods) and MRR by
    # plan.
    with django_assert_max_num_queries(22):
        response = viewer_client.get("/")
    assert response.content.decode().count('class="verbatim"') == 10


def test_the_dashboard_needs_a_role(outsider_client, client):
    assert outsider_client.get("/").status_code == 403
    assert client.get("/").status_code == 302


def test_a_period_with_no_customers_at_start_shows_dashes_not_errors(viewer_client):
    today = timezone.localdate()
    SubscriptionFactory(account=AccountFactory(), mrr=Decimal("90"), started_on=today)

    response = viewer_client.get("/?period=this-month")

    assert response.status_code == 200
    assert card_value(response, "customer_churn_rate") == "—"


# --- customer feedback (surveys) ------------------------------------------------------------


@pytest.fixture
def answers(history):
    """Three promoters, a passive and two detractors (one scoring 0) today, a 0 last year;
    two CSAT answers; the customers of `history` answering."""
    kept, fresh = Account.objects.get(name="Kept"), Account.objects.get(name="Fresh")
    for score in (10, 9, 9, 7):
        answer(kept, "nps", score, history)
    answer(fresh, "nps", 0, history, comment="<script>alert('x')</script> too slow")
    answer(fresh, "nps", 4, history - dt.timedelta(days=1))
    answer(kept, "nps", 0, history - dt.timedelta(days=400))  # the previous period
    answer(kept, "csat", 5, history, comment="Great support")
    answer(fresh, "csat", 2, history)
    return history


def test_the_nps_and_csat_cards_are_the_survey_metrics_of_the_period(viewer_client, answers):
    response = viewer_client.get("/")

    page = response.content.decode()
    assert card_value(response, "nps") == "16.7"
    assert card_value(response, "csat") == "50.0%"
    assert "NPS (survey)" in page and "CSAT (survey)" in page
    assert "From 6 survey answers" in page
    assert "▲ 116.7 pts vs previous" in page  # from -100.0 to 16.7
    assert "NPS and CSAT are survey-based" in page


def test_the_survey_charts_plot_nps_and_csat_month_by_month(viewer_client, answers):
    data = embedded(viewer_client.get("/"), "overview-data")

    assert len(data["nps"]) == len(data["labels"]) == 12
    assert data["nps_responses"][-1] >= 5
    assert data["csat"][-1] == 0.5
    assert data["names"]["nps"] == "NPS (survey)"


def test_the_latest_comments_are_escaped_and_link_to_the_answer(viewer_client, answers):
    page = viewer_client.get("/").content.decode()

    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; too slow" in page
    latest = Response.objects.get(comment="Great support")
    assert f'href="/surveys/responses/{latest.pk}/"' in page
    assert "Rosa Díaz · Kept" in page
    assert page.index("Great support") < page.index("too slow")  # same moment: newer id first


def test_comments_stay_hidden_from_staff_who_may_not_read_answers(client, answers):
    from django.contrib.auth.models import Permission

    reader = UserFactory()
    reader.user_permissions.add(
        Permission.objects.get(codename="view_dashboards", content_type__app_label="staff")
    )
    client.force_login(reader)

    response = client.get("/")

    assert response.status_code == 200
    assert "Great support" not in response.content.decode()
    assert card_value(response, "nps") == "16.7"


def test_nps_by_mrr_band_and_the_mrr_weighted_nps_are_shown(viewer_client, answers):
    page = viewer_client.get("/").content.decode()

    # Kept pays 1,000 (band 500 to 1,999.99): 10, 9, 9, 7 -> NPS 75.0. Fresh pays 250: 0, 4.
    band = re.search(r'data-band="500-2000">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(.*?)</td>', band) == ["4", "75.0"]
    small = re.search(r'data-band="under-500">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(.*?)</td>', small) == ["2", "-100.0"]
    # Weighted: 100 * (3 * 1,000 - 2 * 250) / (4 * 1,000 + 2 * 250) = 55.6
    weighted = re.search(
        r'data-metric="weighted_nps">.*?<p class="stat-value">(.*?)</p>', page, re.S
    )
    assert weighted.group(1) == "55.6"


def test_a_period_without_answers_shows_dashes(viewer_client, history):
    response = viewer_client.get("/")

    assert card_value(response, "nps") == "—"
    assert card_value(response, "csat") == "—"
    assert "No survey answer with a comment in this period." in response.content.decode()


@pytest.mark.django_db
def test_a_year_reads_its_movements_as_the_sum_of_its_months_like_the_bars(viewer_client):
    account = AccountFactory()
    SubscriptionFactory(
        account=account,
        mrr=Decimal("100"),
        started_on=dt.date(2024, 2, 1),
        ended_on=dt.date(2024, 5, 1),
    )
    year = viewer_client.get("/?start=2024-01-01&end=2025-01-01")
    month = viewer_client.get("/?start=2024-04-01&end=2024-05-01")

    cards = {card["key"]: card for card in year.context["cards"]}
    # Joined and left within the year: nothing between its ends, 100 in and out by month.
    assert cards["summed_new_mrr"]["value"] == "100.00"
    assert cards["summed_churned_mrr"]["value"] == "100.00"
    assert "sum of the months" in str(cards["summed_churned_mrr"]["label"])
    assert "churned_mrr" not in cards
    assert {card["key"] for card in month.context["cards"]} >= {"new_mrr", "churned_mrr"}


@pytest.fixture
def year_of_revenue(db) -> Period:
    """2024: Acme 1,000 (Pro) all year; Bolt 500 (Basic) leaves on 1 July; Core 250 (Basic)
    joins on 1 March."""
    start = dt.date(2023, 1, 1)
    SubscriptionFactory(account__name="Acme", plan="Pro", mrr=Decimal("1000"), started_on=start)
    SubscriptionFactory(
        account__name="Bolt",
        plan="Basic",
        mrr=Decimal("500"),
        started_on=start,
        ended_on=dt.date(2024, 7, 1),
    )
    SubscriptionFactory(
        account__name="Core", plan="Basic ", mrr=Decimal("250"), started_on=dt.date(2024, 3, 1)
    )
    return Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))


def test_revenue_per_customer_cards_follow_their_formulas(year_of_revenue):
    cards = {card["key"]: card["value"] for card in revenue_cards(year_of_revenue, Segment())}

    # Months' MRR at start: 1,500 in January to March, 1,750 in April to July (Core is in),
    # 1,250 from August (Bolt left in July): 17,750 in all, of which 500 was lost.
    assert cards["arr"] == "15000.00"  # 12 x 1,250
    assert cards["arpa"] == "625.00"  # 1,250 ÷ 2 customers
    assert cards["summed_new_customers"] == 1
    assert cards["monthly_revenue_churn_rate"] == pytest.approx(500 / 17750)
    assert cards["customer_lifetime_value"] == "22187.50"  # 625 ÷ (500 / 17,750)


def test_lifetime_value_is_a_dash_without_churn(db):
    SubscriptionFactory(mrr=Decimal("100"), started_on=dt.date(2023, 1, 1))

    cards = {
        c["key"]: c["value"]
        for c in revenue_cards(Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1)), Segment())
    }

    assert cards["monthly_revenue_churn_rate"] == 0.0
    assert cards["customer_lifetime_value"] is None


def test_the_overview_shows_revenue_cards_and_mrr_by_plan(viewer_client, year_of_revenue):
    response = viewer_client.get("/?period=custom&start=2024-01-01&end=2025-01-01")

    page = response.content.decode()
    assert card_value(response, "arr") == "$15K" and card_exact(response, "arr") == "$15,000.00"
    assert card_value(response, "customer_lifetime_value") == "$22.2K"
    plans = re.search(r'data-table="plans">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>.*?</tr>", plans)]
    # Core's plan name has a stray space: it is the same plan.
    assert rows == [["Pro", "1", "$1,000.00", "80.0%"], ["Basic", "1", "$250.00", "20.0%"]]
