"""The metric request forms (forms.py) as the API and the `metrics` command take them: their
parameters, DRF's 400 body, the command's error line, the OpenAPI description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.management.base import CommandError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from lifecycle.metrics.cohorts import MONTH_RE
from lifecycle.metrics.forms import DayField, FoundChoiceField, MonthField, OwnerField, QueryForm

PAGES_ONLY = frozenset({"period"})  # the pages' preset picker: the API and the command give dates
DESCRIPTIONS: dict[str, Any] = {
    "start": _("First day of the period (YYYY-MM-DD)."),
    "end": _("The day after the period's last day (exclusive)."),
    "owner": _("The account owner's email, or their user id."),
    "cohort": _("Month of the first customer day, YYYY-MM."),
}
COHORT_DESCRIPTIONS: dict[str, Any] = {
    **DESCRIPTIONS,
    "start": _("First cohort month (YYYY-MM)."),
    "end": _("Last cohort month (YYYY-MM), included."),
}


def _form(form_class: type[QueryForm], given: Mapping[str, Any]) -> QueryForm:
    names = [name for name in form_class.base_fields if name not in PAGES_ONLY]
    return form_class({name: given[name] for name in names if name in given}, api=True)


def api_query(form_class: type[QueryForm], params: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned data of an API request's query parameters; DRF answers a 400 of
    {field: [messages]} when they are not valid."""
    form = _form(form_class, params)
    if not form.is_valid():
        raise serializers.ValidationError(
            {name: list(errors) for name, errors in form.errors.items()}
        )
    return form.cleaned_data


def command_query(form_class: type[QueryForm], options: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned data of the command's options (named as the fields), or a CommandError of
    `--option: message` for each invalid one."""
    form = _form(form_class, options)
    if not form.is_valid():
        raise CommandError(
            "; ".join(f"--{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        )
    return form.cleaned_data


def parameters(
    form_class: type[QueryForm], descriptions: Mapping[str, Any] = DESCRIPTIONS
) -> list[OpenApiParameter]:
    """The OpenAPI query parameters of the API's fields of `form_class`."""
    form = form_class(api=True)
    return [
        OpenApiParameter(
            name,
            type=_schema(field),
            location=OpenApiParameter.QUERY,
            required=field.required,
            description=descriptions.get(name) or _choice_list(field),
        )
        for name, field in form.fields.items()
        if name not in PAGES_ONLY
    ]


def _schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, DayField):
        return {"type": "string", "format": "date"}
    if isinstance(field, MonthField):
        return _blank_or({"type": "string", "pattern": MONTH_RE}, field)
    if isinstance(field, OwnerField):
        by_email = {"type": "string", "format": "email"}
        return _blank_or({"oneOf": [by_email, {"type": "string", "pattern": "^[0-9]+$"}]}, field)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, FoundChoiceField):
        keys = [key for key, _label in field.choices if key]
        if field.initial:
            return {"enum": keys, "type": "string", "default": field.initial, "minLength": 1}
        return {"enum": [*keys, ""], "type": "string"}
    return {"type": "string"}


def _blank_or(schema: dict[str, Any], field: forms.Field) -> dict[str, Any]:
    if field.required:
        return {**schema, "minLength": 1}
    return {"oneOf": [schema, {"type": "string", "maxLength": 0}]}


def _choice_list(field: forms.Field) -> str | None:
    """The choices as drf-spectacular lists them, in the language of the schema's request."""
    if not isinstance(field, forms.ChoiceField) or isinstance(field, FoundChoiceField):
        return None
    choices = [(key, label) for key, label in field.choices if key]
    return lazy(lambda: "\n".join(f"* `{key}` - {label}" for key, label in choices), str)()
