"""What a first look at the dashboard shows after `make run`: the default demo's last 12
months against the 12 before are two ordinary years of a going business, not a year against
its ramp-up (which showed "Expansion MRR ▲18155%" and "NRR ▲78.8 pts")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lifecycle.metrics.dashboard import headline
from lifecycle.metrics.periods import Period, preset_period, previous_period
from lifecycle.metrics.queries import Segment, period_metrics
from lifecycle.metrics.series import metric_series
from lifecycle.ops.demo import generate_demo
from lifecycle.ops.management.commands.seed_demo import DEFAULT_ACCOUNTS, DEFAULT_SEED

# A mid-month day and a day early in a month, a year and a half apart.
TODAYS = [dt.date(2025, 6, 15), dt.date(2026, 12, 2)]
AMOUNT_CHANGE = 0.6  # relative, for money and count cards
RATE_CHANGE = 10  # points
RATE_CARDS = ("customer_churn_rate", "net_revenue_retention", "gross_revenue_retention")

pytestmark = pytest.mark.django_db


@pytest.fixture(params=TODAYS, ids=str)
def today(request: pytest.FixtureRequest) -> dt.date:
    return request.param


@pytest.fixture
def shown(today: dt.date) -> Period:
    """The dashboard's default period, with the default demo loaded up to `today`."""
    generate_demo(accounts=DEFAULT_ACCOUNTS, seed=DEFAULT_SEED, today=today)
    return preset_period("last-12-months", today)


def cards_by_key(period: Period) -> dict[str, dict[str, Any]]:
    cards, _previous = headline(period, Segment())
    return {card["key"]: card for card in cards}


def test_money_and_count_cards_change_by_less_than_sixty_percent(shown):
    cards = cards_by_key(shown)

    amounts = {key: c["change"] for key, c in cards.items() if c["kind"] in ("money", "count")}
    assert set(amounts) == {
        "customers_end",
        "mrr_end",
        "summed_new_mrr",
        "summed_expansion_mrr",
        "summed_churned_mrr",
    }
    assert all(c is not None and abs(c) <= AMOUNT_CHANGE for c in amounts.values()), amounts


def test_churn_and_retention_rates_change_by_less_than_ten_points(shown):
    cards = cards_by_key(shown)

    rates = {key: cards[key]["change"] for key in RATE_CARDS}
    assert all(c is not None and abs(c) <= RATE_CHANGE for c in rates.values()), rates


def test_the_business_already_has_customers_when_the_comparison_year_starts(shown):
    before, now = period_metrics(previous_period(shown)), period_metrics(shown)

    assert before["customers_start"] >= now["customers_end"] / 2
    # Growing at a believable rate, with voluntary and involuntary churn and comebacks.
    assert 0.10 <= float(now["mrr_end"]) / float(now["mrr_start"]) - 1 <= 0.45
    for year in (before, now):
        assert year["churned_customers_voluntary"] and year["churned_customers_involuntary"]
        assert year["summed_reactivated_customers"] >= 1


def test_every_month_has_some_churn_expansion_and_contraction(shown):
    months = metric_series(Period(previous_period(shown).start, shown.end), "month")

    complete = months[:-1]  # the running month has had only some of its days
    assert all(m["customers_start"] > 0 for m in months)
    churn = [m["churned_customers"] / m["customers_start"] for m in complete]
    assert 0.01 <= sum(churn) / len(churn) <= 0.03
    assert all(float(m["expansion_mrr"]) > 0 for m in complete)
    assert all(float(m["contraction_mrr"]) > 0 for m in complete)
