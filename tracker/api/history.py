"""The API's form of an activity's history (tracker/history.py): raw values, ISO dates, ids for related rows."""

from __future__ import annotations

from typing import Any

from tracker import history, logtext

_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def history_entries(activity_id: int, page: list) -> list[dict[str, Any]]:
    """A page of records (newest first) as the API's entries; the oldest is compared with its predecessor,
    fetched in one more query."""
    if not page:
        return []
    return [
        {
            "history_id": entry.history_id,
            "at": entry.at,
            "type": _TYPES.get(entry.kind, "changed"),
            "version": entry.version,
            "user": entry.user,
            "reason": logtext.api_reason(entry.reason),
            "reason_data": logtext.reason_data(entry.reason),
            "changes": [{"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in entry.changes],
        }
        for entry in history.entries(page, history.previous_record(activity_id, page))
    ]


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
