"""Text without NUL (0x00) characters. PostgreSQL refuses them in text (psycopg raises
DataError, a 500) while SQLite takes them, so text from a request or a provider that reaches
a query or a row goes through here first."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from lifecycle.lib.api import API_PREFIX

NUL = "\x00"


def without_nul(text: str) -> str:
    return text.replace(NUL, "")


def query_without_nul(query: QueryDict) -> QueryDict:
    """`query` (request.GET) with NUL taken out of every name and value; itself if none."""
    if not any(NUL in name or NUL in "".join(values) for name, values in query.lists()):
        return query
    cleaned = QueryDict(mutable=True)
    for name, values in query.lists():
        for value in values:
            cleaned.appendlist(without_nul(name), without_nul(value))
    cleaned._mutable = False
    return cleaned


class NulFreeQueryMiddleware:
    """Every page's query string without NUL, names and values: `?q=%00` in a search,
    `?status=%00` in a list filter or `?term=%00` in admin's autocomplete is otherwise a 500
    on PostgreSQL, in every view and admin page at once. Not the API's: its filters refuse
    NUL with a 400 naming the parameter, which tells a client more than a silent change
    (forms and the API also refuse NUL in what is posted)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            request.GET = query_without_nul(request.GET)
        return self.get_response(request)
