"""Template filters for `lifecycle.lib.display` (`{% load display %}`, registered in
settings.TEMPLATES): `money`, `money_short`, `count`, `day`, `moment`, `month`, `month_day`,
`birthday`."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from lifecycle.lib import display

register = template.Library()

register.filter("money", display.money)
register.filter("month", display.month_label)


@register.filter
def money_short(value: object) -> str:
    """The short form with the exact amount on hover and for screen readers."""
    if display.money(value) == "":
        return ""
    return format_html(
        '<span title="{}" aria-label="{}">{}</span>',
        display.money(value),
        display.money(value),
        display.money_short(value),
    )


@register.filter
def day(value: object) -> str:
    return display.show_date(value, display.DAY)


@register.filter
def moment(value: object) -> str:
    return display.show_date(value, display.MOMENT)


@register.filter
def month_day(value: object) -> str:
    return display.show_date(value, display.MONTH_DAY)


@register.filter
def birthday(contact: object) -> str:
    """A contact's birthday (`birth_year`, `birth_month`, `birth_day`)."""
    return display.birthday(
        getattr(contact, "birth_month", None),
        getattr(contact, "birth_day", None),
        getattr(contact, "birth_year", None),
    )


@register.filter
def count(value: object) -> str:
    """A whole number with the language's thousands separator ("12,345", "12 345")."""
    return display.count(value)
