"""Account size bands, by head count and by MRR, defined once for filters, segments and metrics."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# (key, label, lowest employees, highest employees or None for open-ended)
EMPLOYEE_BANDS = [
    ("1-10", _("1–10"), 1, 10),
    ("11-50", _("11–50"), 11, 50),
    ("51-200", _("51–200"), 51, 200),
    ("201-1000", _("201–1,000"), 201, 1000),
    ("1001+", _("1,001+"), 1001, None),
]
EMPLOYEE_BAND_CHOICES = [(key, label) for key, label, _low, _high in EMPLOYEE_BANDS]


def employee_band_label(key: str) -> str:
    """How people read a band key: the label of the filters, not the CSV key."""
    return str(dict(EMPLOYEE_BAND_CHOICES).get(key, key))


def employee_band(employees: int | None) -> str:
    """The band key for a head count, or "" when unknown."""
    if employees is None:
        return ""
    for key, _label, low, high in EMPLOYEE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return key
    return ""


# (key, label, lowest MRR included, MRR where the next band starts or None for open-ended).
# "none" is an account paying nothing that day: a trial, a prospect or a churned customer.
MRR_BANDS = [
    ("none", _("No MRR"), Decimal("0"), Decimal("0.01")),
    ("under-500", _("Under 500"), Decimal("0.01"), Decimal("500")),
    ("500-2000", _("500 – 1,999.99"), Decimal("500"), Decimal("2000")),
    ("2000-10000", _("2,000 – 9,999.99"), Decimal("2000"), Decimal("10000")),
    ("10000+", _("10,000 and more"), Decimal("10000"), None),
]
MRR_BAND_CHOICES = [(key, label) for key, label, _low, _high in MRR_BANDS]


def mrr_band(mrr: Decimal) -> str:
    """The band key for an MRR amount (MRR is never negative)."""
    for key, _label, low, high in MRR_BANDS:
        if mrr >= low and (high is None or mrr < high):
            return key
    return "none"
