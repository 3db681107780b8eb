"""Employee size bands, defined once for filters, segments and metrics."""

from __future__ import annotations

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


def employee_band(employees: int | None) -> str:
    """The band key for a head count, or "" when unknown."""
    if employees is None:
        return ""
    for key, _label, low, high in EMPLOYEE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return key
    return ""
