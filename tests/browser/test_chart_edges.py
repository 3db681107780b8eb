"""What only a browser shows at the edges of charts and tables: a score at the top of its
axis drawn whole, the account's score history ticked on the 1st of each month of the site's
time zone, and a year of revenue cohorts fitting a 1366 px window (a longer range scrolls
inside its card, the cohort column held)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lifecycle.lib.dates import add_months
from lifecycle.staff.roles import VIEWER
from surveys.models import Response, Survey
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}

# The last point of a chart's first dataset: whether it sits on the top of the chart area,
# and the pixel 2 px above its centre (inside the point, outside the chart area).
TOP_POINT_JS = """(id) => {
  const chart = Chart.getChart(id);
  const points = chart.getDatasetMeta(0).data;
  const point = points[points.length - 1];
  const ratio = chart.currentDevicePixelRatio;
  const pixel = chart.ctx.getImageData(
    Math.round(point.x * ratio), Math.round((point.y - 2) * ratio), 1, 1).data;
  return {onTop: Math.abs(point.y - chart.chartArea.top) < 0.5, alpha: pixel[3]};
}"""
TICKS_JS = """() => Chart.getChart("account-scores-chart").scales.x.ticks
  .map((tick) => [tick.value, tick.label])"""
# Each cohort table's box: how far it scrolls sideways, and whether the page does.
WRAP_JS = """() => {
  const box = document.querySelector(".cohort-table").closest(".table-wrap");
  const page = document.documentElement;
  return {hidden: box.scrollWidth - box.clientWidth, page: page.scrollWidth - page.clientWidth};
}"""


def survey_of(kind: str) -> Survey:
    """Transactional tests flush the default surveys that migrate made: make one again."""
    return Survey.objects.get_or_create(slug=kind, defaults={"kind": kind, "name": kind})[0]


def answer(account, kind: str, score: int, day: dt.date, at: dt.time = dt.time(12)) -> None:
    """An answer at `at` on `day`, site time."""
    Response.objects.create(
        survey=survey_of(kind),
        kind=kind,
        contact=ContactFactory(account=account),
        account=account,
        score=score,
        submitted_at=timezone.make_aware(dt.datetime.combine(day, at)),
    )


def sign_in(page: Page, base_url: str, path: str) -> None:
    UserFactory(username="vera", role=VIEWER)
    page.set_viewport_size(LAPTOP)
    page.goto(f"{base_url}{path}")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{path}")


def test_a_perfect_score_this_month_is_drawn_whole_at_the_top_of_its_axis(page: Page, live_server):
    account = AccountFactory(name="Acme")
    SubscriptionFactory(account=account, started_on=add_months(timezone.localdate(), -14))
    today = timezone.localdate()
    for kind, low, high in [("nps", 3, 10), ("csat", 2, 5)]:
        answer(account, kind, low, add_months(today, -1))
        answer(account, kind, high, today, at=dt.time())  # NPS 100 and CSAT 100 % this month

    sign_in(page, live_server.url, "/")
    page.wait_for_function("() => typeof Chart !== 'undefined' && Chart.getChart('csat-chart')")

    for chart in ("nps-chart", "csat-chart"):
        drawn = page.evaluate(TOP_POINT_JS, chart)
        assert drawn["onTop"], chart
        assert drawn["alpha"] > 0, f"{chart}: the point at the top is cut off"


def test_the_score_history_is_ticked_on_the_first_of_each_month(page: Page, live_server, settings):
    # 12 or 13 hours ahead of the browser (UTC): a tick at UTC midnight would be noon or later.
    settings.TIME_ZONE = "Pacific/Auckland"
    account = AccountFactory(name="Acme")
    this_month = timezone.localdate().replace(day=1)
    answer(account, "nps", 9, add_months(this_month, -8) + dt.timedelta(days=18))
    answer(account, "csat", 4, add_months(this_month, -5) + dt.timedelta(days=27), dt.time(23))
    # 00:30 on the 1st in Auckland is still the month before in UTC.
    answer(account, "nps", 10, add_months(this_month, -1), dt.time(0, 30))

    sign_in(page, live_server.url, account.get_absolute_url())
    page.wait_for_function("() => Chart.getChart('account-scores-chart')")
    ticks = page.evaluate(TICKS_JS)

    months = [add_months(this_month, n) for n in range(-8, 1)]  # to the 1st after the last
    assert [label for _value, label in ticks] == [month.strftime("%b %Y") for month in months]
    firsts = [timezone.make_aware(dt.datetime.combine(month, dt.time())) for month in months]
    assert [value for value, _label in ticks] == [first.timestamp() * 1000 for first in firsts]


def test_a_year_of_revenue_cohorts_fits_and_two_years_scroll_inside_the_card(
    page: Page, live_server
):
    this_month = timezone.localdate().replace(day=1)
    for n in range(24):  # a cohort a month, MRR in the thousands
        SubscriptionFactory(
            account=AccountFactory(),
            mrr=Decimal("4531.50") + n,
            started_on=add_months(this_month, -n),
        )

    sign_in(page, live_server.url, "/dashboard/cohorts/?view=revenue")
    expect(page.locator(".cohort-table thead th").last).to_have_text(re.compile("Month\\s+11"))
    assert page.evaluate(WRAP_JS) == {"hidden": 0, "page": 0}

    start = add_months(this_month, -23).strftime("%Y-%m")
    page.goto(f"{live_server.url}/dashboard/cohorts/?view=revenue&start={start}")
    expect(page.locator(".cohort-table thead th").last).to_have_text(re.compile("Month\\s+23"))
    wide = page.evaluate(WRAP_JS)
    assert wide["hidden"] > 0 and wide["page"] == 0
    box = page.locator(".table-wrap:has(.cohort-table)")
    box.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    edge = box.bounding_box()["x"]
    for corner in (".cohort-table thead th >> nth=0", ".cohort-table tbody th >> nth=0"):
        assert abs(page.locator(corner).bounding_box()["x"] - edge) < 1, corner
