"""The survey responses list as the page, its sortable columns and its CSV download read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from lifecycle.lib import sorting
from lifecycle.lib.spreadsheet import text_cell
from surveys.filters import ResponseFilter
from surveys.models import Response

SORTS = {
    "submitted": ("submitted_at",),
    "score": ("score",),
    "survey": ("survey__name",),
    "contact": ("contact__first_name", "contact__last_name", "contact__email"),
    "account": ("account__name",),
}
LARGEST_FIRST = ("submitted", "score")
DEFAULT_ORDER = "-submitted"  # the latest answer first
CSV_HEADER = [
    "submitted_at",
    "survey",
    "survey_kind",
    "score",
    "comment",
    "contact_email",
    "contact_name",
    "account",
    "account_external_id",
    "language",
]


def answers() -> QuerySet[Response]:
    return Response.objects.select_related("contact", "account", "survey").with_band()


def response_rows(query: QueryDict) -> tuple[ResponseFilter, QuerySet[Response]]:
    """The filtered answers in the order `?o=` asks for (the latest first by default)."""
    found = ResponseFilter(query, queryset=answers())
    order = query.get(sorting.PARAM, "") or DEFAULT_ORDER
    return found, sorting.ordered(found.qs, order, SORTS, tie_break=("-submitted_at", "-pk"))


def csv_rows(responses: QuerySet[Response]) -> Iterator[list[Any]]:
    for response in responses.iterator(chunk_size=2000):
        yield [
            timezone.localtime(response.submitted_at).isoformat(),
            text_cell(response.survey.name),
            response.kind,
            response.score,
            text_cell(response.comment),
            # An anonymised answer (the person's data erased) names nobody.
            text_cell(response.contact.email if response.contact else ""),
            text_cell(response.contact.full_name if response.contact else ""),
            text_cell(response.account.name),
            text_cell(response.account.external_id),
            response.language,
        ]
