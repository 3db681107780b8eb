from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import CancelType
from lifecycle.lib.dates import add_months
from lifecycle.metrics.periods import preset_period
from lifecycle.staff.roles import VIEWER
from surveys.models import Response, Survey
from tests.factories import (
    AccountFactory,
    ContactFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANVASES = [
    "movements-chart",
    "customers-chart",
    "retention-chart",
    "revenue-retention-chart",
    "nps-chart",
    "nps-mix-chart",
    "csat-chart",
]

# True once Chart.js owns the canvas and has painted at least one non-transparent pixel.
DRAWN_JS = """(id) => {
  const canvas = document.getElementById(id);
  if (!canvas || !Chart.getChart(canvas) || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] > 0) return true;
  return false;
}"""
LABELS_JS = (
    """(id) => Chart.getChart(document.getElementById(id)).data.datasets.map((d) => d.label)"""
)
PLOTTED_JS = """(id) => Chart.getChart(document.getElementById(id)).data.datasets
  .some((d) => d.data.some((v) => v !== null && v !== 0))"""


@pytest.fixture
def history() -> None:
    """Four accounts over the last 14 months: one steady, one expanding with an add-on,
    one churned three months ago, one new two months ago."""
    today = timezone.localdate()
    SubscriptionFactory(
        account__name="Acme", mrr=Decimal("1250.00"), started_on=add_months(today, -14)
    )
    borealis = AccountFactory(name="Borealis")
    SubscriptionFactory(account=borealis, mrr=Decimal("300.00"), started_on=add_months(today, -13))
    SubscriptionFactory(account=borealis, mrr=Decimal("99.50"), started_on=add_months(today, -5))
    SubscriptionFactory(
        account__name="Cobalt",
        mrr=Decimal("400.00"),
        started_on=add_months(today, -12),
        ended_on=add_months(today, -3) + dt.timedelta(days=9),
        cancel_type=CancelType.VOLUNTARY,
    )
    delta = AccountFactory(name="Delta")
    SubscriptionFactory(account=delta, mrr=Decimal("75.25"), started_on=add_months(today, -2))
    # Survey answers this month and last: NPS 10, 9, 3 and CSAT 5, 2.
    for account, kind, score, months, comment in [
        (borealis, "nps", 10, 0, "Great support <b>team</b>"),
        (delta, "nps", 9, -1, ""),
        (delta, "nps", 3, 0, "Too slow"),
        (borealis, "csat", 5, 0, ""),
        (delta, "csat", 2, -1, ""),
    ]:
        Response.objects.create(
            survey=survey_of(kind),
            kind=kind,
            contact=ContactFactory(account=account),
            account=account,
            score=score,
            comment=comment,
            submitted_at=timezone.make_aware(
                dt.datetime.combine(add_months(today, months), dt.time(12))
            ),
        )


def survey_of(kind: str) -> Survey:
    """Transactional tests flush the default surveys that migrate made: make one again."""
    return Survey.objects.get_or_create(slug=kind, defaults={"kind": kind, "name": kind})[0]


def sign_in_to_dashboard(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/")


def wait_for_charts(page: Page) -> None:
    page.wait_for_function(
        "(ids) => typeof Chart !== 'undefined' && ids.every((id) => Chart.getChart(id))",
        arg=CANVASES,
    )


def card_value(page: Page, key: str) -> str:
    return page.locator(f"[data-metric={key}] .stat-value").inner_text().strip()


def test_the_overview_draws_its_charts(page: Page, live_server, history):
    UserFactory(username="vera", role=VIEWER)

    sign_in_to_dashboard(page, live_server.url, "vera")
    wait_for_charts(page)

    for canvas in CANVASES:
        assert page.evaluate(DRAWN_JS, canvas), f"#{canvas} is blank"
        assert page.evaluate(PLOTTED_JS, canvas), f"#{canvas} plots no value"


def test_the_headline_cards_agree_with_the_metrics_api(page: Page, live_server, history):
    UserFactory(username="vera", role=VIEWER)
    period = preset_period("last-12-months", timezone.localdate())

    sign_in_to_dashboard(page, live_server.url, "vera")
    # The page's session cookie authenticates the API call too.
    response = page.request.get(
        f"{live_server.url}/api/v1/metrics/?start={period.start}&end={period.end}"
    )

    assert response.ok, response.text()
    api = response.json()
    assert (api["customers_end"], api["mrr_end"]) == (3, "1724.75")  # the history above
    assert card_value(page, "customers_end") == f"{api['customers_end']:,}"
    assert card_value(page, "mrr_end") == f"${Decimal(api['mrr_end']):,.2f}"


def test_the_chart_legends_follow_the_spanish_ui(page: Page, live_server, history):
    UserFactory(username="vera", role=VIEWER)
    sign_in_to_dashboard(page, live_server.url, "vera")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    wait_for_charts(page)

    movements = page.evaluate(LABELS_JS, "movements-chart")
    assert "MRR nuevo" in movements
    assert "New MRR" not in movements
    assert "Clientes" in page.evaluate(LABELS_JS, "customers-chart")


def test_the_net_mrr_line_is_labelled_in_spanish_too(page: Page, live_server, history):
    UserFactory(username="vera", role=VIEWER)
    sign_in_to_dashboard(page, live_server.url, "vera")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    wait_for_charts(page)

    assert "Net MRR" not in page.evaluate(LABELS_JS, "movements-chart")


def test_the_survey_panel_shows_scores_comments_and_bands(page: Page, live_server, history):
    UserFactory(username="vera", role=VIEWER)

    sign_in_to_dashboard(page, live_server.url, "vera")
    wait_for_charts(page)

    assert card_value(page, "nps") == "33.3"  # 10, 9, 3
    assert card_value(page, "csat") == "50.0%"
    comments = page.locator(".verbatim")
    expect(comments).to_have_count(2)
    # Markup in a comment is shown as text, never rendered.
    expect(comments.filter(has_text="Great support <b>team</b>")).to_have_count(1)
    assert page.evaluate(LABELS_JS, "nps-chart") == ["NPS (survey)"]
    assert page.evaluate(LABELS_JS, "nps-mix-chart") == ["Promoters", "Passives", "Detractors"]
    expect(page.locator("#nps-by-mrr-band [data-band='under-500'] td").nth(1)).to_have_text("33.3")
    comments.filter(has_text="Too slow").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/surveys/responses/\d+/$"))


# The sum of a dataset's points, and its last point, read from the drawn chart.
SUM_JS = """([id, label]) => {
  const sets = Chart.getChart(document.getElementById(id)).data.datasets;
  const set = sets.find((d) => d.label === label);
  return set.data.reduce((total, v) => total + Math.abs(v || 0), 0);
}"""
LAST_JS = """([id, label]) => {
  const sets = Chart.getChart(document.getElementById(id)).data.datasets;
  const set = sets.find((d) => d.label === label);
  return set.data[set.data.length - 1];
}"""


def exact_card(page: Page, key: str) -> Decimal:
    """The exact amount a money card gives on hover, as a number."""
    value = page.locator(f"[data-metric={key}] .stat-value span").get_attribute("title")
    return Decimal(value.replace("$", "").replace(",", ""))


def test_the_cards_add_up_to_the_bars_under_them(page: Page, live_server, history):
    """Last 12 months: each movement card is the sum of its monthly bars, the customers and
    MRR cards are the last points of their lines, read from the rendered page."""
    UserFactory(username="vera", role=VIEWER)

    sign_in_to_dashboard(page, live_server.url, "vera")
    wait_for_charts(page)

    for card, bars in [
        ("summed_new_mrr", "New MRR"),
        ("summed_expansion_mrr", "Expansion MRR"),
        ("summed_churned_mrr", "Churned MRR"),
    ]:
        expect(page.locator(f"[data-metric={card}] .stat-label")).to_contain_text(
            "sum of the months"
        )
        drawn = Decimal(str(page.evaluate(SUM_JS, ["movements-chart", bars]))).quantize(
            Decimal("0.01")
        )
        assert exact_card(page, card) == drawn, card
    assert exact_card(page, "summed_churned_mrr") == Decimal("400.00")  # Cobalt, 3 months ago
    customers = page.evaluate(LAST_JS, ["customers-chart", "Customers"])
    assert card_value(page, "customers_end") == str(customers) == "3"
    mrr = Decimal(str(page.evaluate(LAST_JS, ["customers-chart", "MRR"]))).quantize(Decimal("0.01"))
    assert exact_card(page, "mrr_end") == mrr
