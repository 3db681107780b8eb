"""How the product reports numbers: rates as fractions (None over nothing), money as a
two-decimal string, means of integer scores to two decimals. Pure, no database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> float | None:
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def money(value: Decimal | int | None) -> str:
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def mean(total: int | None, count: int) -> float | None:
    """The mean of `count` integer scores summing to `total`, two decimals."""
    if not count:
        return None
    return float((Decimal(total or 0) / count).quantize(CENT, rounding=ROUND_HALF_UP))


def one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
