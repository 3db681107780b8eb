"""Hand-written SQL around compiled querysets (common table expressions, UNION ALL, window
functions), composed without string formatting.

A piece is SQL text and the parameters of its placeholders, in order. Pieces only join by
concatenation, so the text of a compiled queryset is never read again as a format field or a
placeholder, and every value stays a parameter of the one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import QuerySet


@dataclass(frozen=True)
class SQL:
    """SQL text with the parameters of its placeholders, in order."""

    text: str
    params: tuple[Any, ...] = ()

    def __add__(self, other: SQL | str) -> SQL:
        """This piece then `other` (fixed text, or a piece with its parameters)."""
        if isinstance(other, str):
            other = SQL(other)
        return SQL(self.text + other.text, self.params + other.params)

    def join(self, parts: Iterable[SQL]) -> SQL:
        """The `parts` with this piece between each two, as `str.join` does."""
        joined: SQL | None = None
        for part in parts:
            joined = part if joined is None else joined + self + part
        return SQL("") if joined is None else joined


def compiled(queryset: QuerySet) -> SQL:
    """The queryset as a piece: its SQL for the default database, values as parameters.
    One that can match nothing (a filter on `.none()`) becomes a query of no rows, as the
    ORM reads it, where `sql_with_params` raises EmptyResultSet."""
    compiler = queryset.query.get_compiler(DEFAULT_DB_ALIAS, elide_empty=False)
    text, params = compiler.as_sql()
    return SQL(text, tuple(params))


def with_queries(named: Sequence[tuple[str, SQL]], body: SQL) -> SQL:
    """`WITH name AS (query), … body`: each name is fixed text (a column list may follow it,
    "changes (account_id, bucket, change)"), each query a piece."""
    queries = SQL(", ").join(SQL(name + " AS (") + query + ")" for name, query in named)
    return SQL("WITH ") + queries + " " + body


def fetch_all(sql: SQL) -> list[tuple[Any, ...]]:
    """The rows of one statement on the default database."""
    with connection.cursor() as cursor:
        cursor.execute(sql.text, sql.params)
        return cursor.fetchall()
