"""What the database holds, read whole: for tests that prove a secret or a person's data is
stored nowhere."""

from __future__ import annotations

from django.db import connection


def database_dump() -> str:
    """Every row of every table as text, one line a row prefixed by its table."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(rows)
