"""Display of metric values in the site's conventions: rates as percentages, money with
its currency (lifecycle.lib.display), and a dash for a value that has no denominator (null)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lifecycle.lib.display import money
from lifecycle.metrics.definitions import DEFINITIONS

register = template.Library()
DASH = "—"


@register.simple_tag
def metric_value(value: Any, kind: str) -> str:
    if value is None:
        return DASH
    if kind == "rate":
        # number_format cuts digits off; round first so 2/3 shows 66.7%, not 66.6%.
        percent = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{number_format(percent, 1)}%"
    if kind == "money":
        return money(value)
    if kind == "score":  # NPS: -100..100 with one decimal, not a percentage
        return number_format(value, 1)
    if kind == "average":  # a mean survey score, two decimals
        return number_format(value, 2)
    return number_format(value, force_grouping=True)


@register.simple_tag
def metric_change(change: Decimal | None, kind: str) -> str:
    """A card's change as dashboard._change rounded it: its arrow follows the number shown,
    so 0.0 has none."""
    if change is None:
        return _("no comparison")
    change = Decimal(str(change))  # exact: a float times 100 can lose the digit shown
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    if kind in ("rate", "score"):
        return _("%(arrow)s %(points)s pts vs previous") % {
            "arrow": arrow,
            "points": number_format(abs(change), 1),
        }
    return _("%(arrow)s %(percent)s%% vs previous") % {
        "arrow": arrow,
        "percent": number_format(abs(change) * 100, 1),
    }


@register.simple_tag
def metric_label(key: str) -> str:
    return str(DEFINITIONS[key][0]) if key in DEFINITIONS else key


@register.simple_tag
def metric_formula(key: str) -> str:
    return str(DEFINITIONS[key][1]) if key in DEFINITIONS else ""
