"""Sortable table columns: `?o=key` (ascending) or `?o=-key` (descending), one home for the
links of the headers and the ORDER BY they ask for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.http import QueryDict

PARAM = "o"


def ordered(
    queryset: QuerySet, value: str, columns: dict[str, tuple[str, ...]], tie_break: tuple[str, ...]
) -> QuerySet:
    """`queryset` in the order `value` names (a key of `columns`, "-" first for descending),
    then by `tie_break` so that pages never repeat or skip a row; unknown keys are ignored."""
    key = value.removeprefix("-")
    if key not in columns:
        return queryset.order_by(*tie_break)
    descending = value.startswith("-")
    fields = [
        F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        for field in columns[key]
    ]
    return queryset.order_by(*fields, *tie_break)


def headers(
    query: QueryDict, keys: Iterable[str], *, largest_first: Iterable[str] = (), default: str = ""
) -> dict[str, dict[str, Any]]:
    """For each sortable key: the link that sorts by it (toggling when it is the current one,
    or `default` when none is asked for) and its aria-sort state. Amounts, counts and dates
    sort largest (latest) first on the first click."""
    current = query.get(PARAM, "") or default
    largest = set(largest_first)
    found = {}
    for key in keys:
        if current == key:
            target, state = f"-{key}", "ascending"
        elif current == f"-{key}":
            target, state = key, "descending"
        else:
            target, state = (f"-{key}" if key in largest else key), "none"
        link = query.copy()
        link[PARAM] = target
        link.pop("page", None)
        found[key] = {"url": f"?{link.urlencode()}", "state": state}
    return found
