"""CSV downloads that a spreadsheet opens safely and a person reads at once.

A cell whose text starts with = + - @, a tab or a carriage return (or their full-width forms)
would be run as a formula by Excel, LibreOffice or Google Sheets (OWASP, "CSV Injection"):
such text gets a leading apostrophe, which the spreadsheet shows as plain text. Numbers and
dates are written as numbers and ISO dates, never through this guard.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def text_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line: csv.writer for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_download(
    filename: str, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV attachment: the header, then each row as it is read from the database."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
