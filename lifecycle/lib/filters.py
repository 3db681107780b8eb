"""Query filters shared by the staff pages and the API (django-filter): booleans that refuse
what they cannot read, and dates within the years a request may name (lifecycle/lib/dates.py).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from lifecycle.lib.dates import EARLIEST_YEAR, LATEST_YEAR, within_years

# 1 and 0 as django-filter's API boolean has always read them.
_WORDS = {"true": True, "false": False, "1": True, "0": False}


class StrictBooleanField(forms.Field):
    """true or false (any case, or 1 and 0), or nothing given. django-filter's own boolean
    reads any other value as "not given" and silently drops the filter: here it is an error
    (a 400 from the API), so a typo never returns every row."""

    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if value in (None, ""):
            return None
        word = _WORDS.get(str(value).strip().lower())
        if word is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return word

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A BooleanFilter (true/false in the OpenAPI document) that refuses any other value.
    The widget passes the raw value on: Django's and django-filter's boolean widgets turn an
    unknown word into None before the field could refuse it."""

    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class _WithinYears:
    """A date or datetime field refusing the years no request may name: year 1 or 9999 a few
    hours away from UTC overflows when the database query is built (a 500)."""

    def validate(self, value: Any) -> None:
        super().validate(value)  # type: ignore[misc]
        if value and not within_years(value):
            raise ValidationError(
                _("Give a date in the years %(first)d to %(last)d."),
                code="year",
                params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            )


class BoundedDateField(_WithinYears, forms.DateField):
    """django-filter's date field, within the years a request may name."""


class BoundedIsoDateTimeField(_WithinYears, IsoDateTimeField):
    """django-filter's ISO 8601 date-time field, within the years a request may name."""


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
