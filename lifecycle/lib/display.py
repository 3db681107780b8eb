"""How people see money and dates, in the language of the page: one home for each style.

Money is always shown with the currency of the `CURRENCY` setting (the one MRR is in), its
digits grouped by Django's localisation and its symbol placed as the language places it
("$1,234.50", "1 234,50 $"). Cards use the short form ("$380K") with the exact value beside
it. Dates come in three kinds, each one named format of `lifecycle/formats/` per language:
a day (`DATE_FORMAT`), a moment (`DATETIME_FORMAT`) and a month (`YEAR_MONTH_FORMAT`), plus
the day of a birthday, which has no year (`MONTH_DAY_FORMAT`). docs/architecture.md,
"Numbers and dates on screen".
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import pgettext

from lifecycle.lib.numbers import CENT

# The symbol people expect for the currencies B2B software is usually billed in; any other
# ISO 4217 code is shown as the code itself, which is never wrong.
CURRENCY_SYMBOLS = {
    "AUD": "A$",
    "BRL": "R$",
    "CAD": "CA$",
    "CHF": "CHF",
    "CNY": "CN¥",
    "EUR": "€",
    "GBP": "£",
    "INR": "₹",
    "JPY": "¥",
    "MXN": "MX$",
    "NZD": "NZ$",
    "RUB": "₽",
    "USD": "$",
}
# Currencies whose amounts have no minor unit (ISO 4217 exponent 0).
NO_CENTS = {"JPY", "KRW", "CLP", "ISK", "VND"}

DAY = "DATE_FORMAT"
MOMENT = "DATETIME_FORMAT"
MONTH = "YEAR_MONTH_FORMAT"
MONTH_DAY = "MONTH_DAY_FORMAT"


def currency_symbol(code: str | None = None) -> str:
    code = (code or settings.CURRENCY).upper()
    return CURRENCY_SYMBOLS.get(code, code)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    # NaN, infinities and absurd exponents cannot be shown as an amount.
    return number if number.is_finite() and abs(number) < Decimal("1e18") else None


def _with_symbol(amount: str, negative: bool) -> str:
    # Translators: where the currency symbol goes; Spanish and Russian put it after the
    # amount with a (non-breaking) space: "%(amount)s %(symbol)s".
    text = pgettext("money", "%(symbol)s%(amount)s") % {
        "symbol": currency_symbol(),
        "amount": amount,
    }
    return f"-{text}" if negative else text


def money(value: object) -> str:
    """The exact amount: "$22,704.00" in English, "22 704,00 $" in Spanish and Russian."""
    amount = _decimal(value)
    if amount is None:
        return ""
    places = 0 if settings.CURRENCY.upper() in NO_CENTS else 2
    rounded = abs(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = formats.number_format(rounded, places, use_l10n=True, force_grouping=True)
    return _with_symbol(digits, amount < 0 and rounded != 0)


def count(value: object) -> str:
    """A count with the language's grouping: "12,345" in English, "12 345" in Russian."""
    number = _decimal(value)
    if number is None:
        return ""
    whole = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return formats.number_format(whole, 0, use_l10n=True, force_grouping=True)


def _units() -> list[tuple[Decimal, str]]:
    # Translators: short forms of money on dashboard cards: thousands, millions, billions.
    return [
        (Decimal(1), "%(number)s"),
        (Decimal(10**3), pgettext("money, thousands", "%(number)sK")),
        (Decimal(10**6), pgettext("money, millions", "%(number)sM")),
        (Decimal(10**9), pgettext("money, billions", "%(number)sB")),
    ]


# Below this, the short form is the exact amount: "$9,870.40" is short enough.
SHORT_FROM = Decimal(10_000)


def money_short(value: object) -> str:
    """The exact amount below 10,000 ("$1,250.00"), then about three significant figures
    ("$38.2K", "$380K", "$12.4M"); the page shows the exact amount on hover (`money`)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    size = abs(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if size < SHORT_FROM:
        return money(amount)
    places, rounded, pattern = 0, size, "%(number)s"
    if size >= SHORT_FROM:
        for divisor, unit_pattern in _units()[1:]:
            scaled = size / divisor
            places = 1 if scaled < 100 else 0
            rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            pattern = unit_pattern
            if rounded < 1000:  # else 999.96K rounds to 1,000K: say 1M instead
                break
        if places and rounded == rounded.to_integral_value():
            places, rounded = 0, rounded.quantize(Decimal(1))
    digits = formats.number_format(rounded, places, use_l10n=True, force_grouping=True)
    return _with_symbol(pattern % {"number": digits}, amount < 0 and rounded != 0)


def as_date(value: object) -> dt.date | dt.datetime | None:
    """Dates arrive as objects or, from the metrics' JSON-shaped rows, as ISO strings."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:  # "2026-01-01", a month as "2026-01", or a moment "2026-01-01T12:00:00+00:00"
            if len(value) > 10:
                return as_date(dt.datetime.fromisoformat(value))
            return dt.date.fromisoformat(value if len(value) != 7 else f"{value}-01")
        except ValueError:
            return None
    return None


def show_date(value: object, kind: str = DAY) -> str:
    day = as_date(value)
    if day is None:
        return ""
    if kind == MOMENT and not isinstance(day, dt.datetime):
        kind = DAY  # a date has no time of day to show
    return formats.date_format(day, kind, use_l10n=True)


def month_label(value: object) -> str:
    """The month of a date or an ISO date string, as charts and tables label it."""
    return show_date(value, MONTH)


def birthday(month: int | None, day: int | None, year: int | None = None) -> str:
    """A birthday as people say it: "June 2" when the year is unknown, a day otherwise."""
    if not month or not day:
        return ""
    try:  # the database checks month and day apart, so 31 April may be stored
        if year:
            return show_date(dt.date(year, month, day), DAY)
        return show_date(dt.date(2000, month, day), MONTH_DAY)  # 2000: a leap year, 29 Feb
    except ValueError:
        return ""


def person(user: object) -> str:
    """A staff user as every page names them: the full name, else the username."""
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()
