"""Money, counts and dates as people read them (lifecycle/lib/display.py): every odd value
shows something sensible or nothing, never an error page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lifecycle.lib import display


@pytest.mark.parametrize(
    ("value", "exact", "short"),
    [
        ("380211.60", "$380,211.60", "$380K"),
        ("38211.60", "$38,211.60", "$38.2K"),
        ("999960", "$999,960.00", "$1M"),
        ("1234567", "$1,234,567.00", "$1.2M"),
        ("9999.995", "$10,000.00", "$10K"),  # rounds to cents before choosing the form
        ("1250", "$1,250.00", "$1,250.00"),
        ("-27371.80", "-$27,371.80", "-$27.4K"),
        ("-0.001", "$0.00", "$0.00"),
        (None, "", ""),
        ("NaN", "", ""),
        ("Infinity", "", ""),
        ("1e400", "", ""),
        ("not a number", "", ""),
    ],
)
def test_money_in_english(value, exact, short):
    assert display.money(value) == exact
    assert display.money_short(value) == short


def test_a_currency_without_cents_shows_none(settings):
    settings.CURRENCY = "JPY"
    assert display.money("1234.5") == "¥1,235"


def test_an_unknown_currency_is_shown_by_its_code(settings):
    settings.CURRENCY = "XAF"
    assert display.money("10") == "XAF10.00"


def test_counts_round_and_group():
    assert display.count("9999.5") == "10,000"
    assert display.count("NaN") == ""
    with translation.override("ru"):
        assert display.count(12345) == "12\xa0345"


@pytest.mark.parametrize(
    ("month", "day", "year", "shown"),
    [
        (2, 29, None, "February 29"),
        (2, 29, 2023, ""),
        (4, 31, None, ""),
        (6, 2, 1985, "Jun 2, 1985"),
    ],
)
def test_birthdays_never_fail(month, day, year, shown):
    assert display.birthday(month, day, year) == shown


def test_a_moment_from_a_string_or_a_plain_date():
    assert display.show_date("2026-06-02T13:54:00+00:00", display.MOMENT) == "Jun 2, 2026, 1:54 PM"
    assert display.show_date(dt.date(2026, 6, 2), display.MOMENT) == "Jun 2, 2026"
    assert display.show_date("2026-06", display.MONTH) == "Jun 2026"
    assert display.show_date("garbage") == ""
