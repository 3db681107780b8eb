"""A headline card's change against the previous period: its arrow and colour follow the
number it shows, so a change shown as 0.0 is neutral whatever digits lie below it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from lifecycle.metrics.dashboard import card


def shown(key: str, kind: str, up_is_good: bool, now, before) -> tuple[str, str]:
    """The change line of the rendered card: its text and its colour class."""
    html = render_to_string(
        "metrics/_card.html", {"card": card(key, kind, up_is_good, {key: now}, {key: before})}
    )
    found = re.search(r'<p class="stat-change ?([^"]*)">(.*?)</p>', html)
    assert found, html
    return found.group(2), found.group(1)


@pytest.mark.parametrize(
    ("kind", "now", "before"),
    [
        ("rate", 0.1554054054054054, 0.15538),  # +0.0025 pts: churn the same to the tenth
        ("rate", 0.0150, 0.015000000000000001),  # a float's last digit
        ("rate", 0.25, 0.25),
        ("score", 13.6, 13.6),
    ],
)
def test_a_change_shown_as_zero_has_no_arrow_and_no_colour(kind, now, before):
    text, colour = shown("customer_churn_rate", kind, False, now, before)

    assert text == "= 0.0 pts vs previous"
    assert colour == ""


def test_an_amount_that_moved_less_than_a_twentieth_of_a_percent_is_neutral():
    text, colour = shown("mrr_end", "money", True, "100040.00", "100000.00")  # +0.04 %

    assert (text, colour) == ("= 0.0% vs previous", "")


def test_a_small_rise_in_churn_shows_as_the_tenth_it_rounds_to_and_is_bad():
    # 15.54 % against 15.45 %: 0.09 pts used to show as "▲ 0.0 pts", red.
    text, colour = shown("customer_churn_rate", "rate", False, 0.1554054, 0.1544715)

    assert (text, colour) == ("▲ 0.1 pts vs previous", "change-bad")


def test_a_fall_is_good_for_churn_and_bad_for_revenue():
    assert shown("customer_churn_rate", "rate", False, 0.12, 0.155) == (
        "▼ 3.5 pts vs previous",
        "change-good",
    )
    assert shown("mrr_end", "money", True, "90.00", "100.00") == (
        "▼ 10.0% vs previous",
        "change-bad",
    )


def test_a_relative_change_keeps_the_digit_a_float_would_lose():
    # +0.9 %: as a float, 0.009 times 100 is 0.8999999999999999, which showed as 0.8.
    found = card("mrr_end", "money", True, {"mrr_end": "100.90"}, {"mrr_end": "100.00"})

    assert found["change"] == Decimal("0.009")
    assert shown("mrr_end", "money", True, "100.90", "100.00")[0] == "▲ 0.9% vs previous"


def test_no_previous_value_means_no_comparison():
    assert shown("customer_churn_rate", "rate", False, 0.1, None) == ("no comparison", "")
    assert shown("mrr_end", "money", True, "100.00", "0.00") == ("no comparison", "")
