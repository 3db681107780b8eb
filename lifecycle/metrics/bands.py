"""MRR bands: an account's size by the revenue it brings, defined once (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# (key, label, lowest MRR included, MRR where the next band starts or None for open-ended).
# "none" is an account paying nothing that day: a trial, a prospect or a churned customer.
MRR_BANDS = [
    ("none", _("No MRR"), Decimal("0"), Decimal("0.01")),
    ("under-500", _("Under 500"), Decimal("0.01"), Decimal("500")),
    ("500-2000", _("500 – 1,999.99"), Decimal("500"), Decimal("2000")),
    ("2000-10000", _("2,000 – 9,999.99"), Decimal("2000"), Decimal("10000")),
    ("10000+", _("10,000 and more"), Decimal("10000"), None),
]


def mrr_band(mrr: Decimal) -> str:
    """The band key for an MRR amount (MRR is never negative)."""
    for key, _label, low, high in MRR_BANDS:
        if mrr >= low and (high is None or mrr < high):
            return key
    return "none"
