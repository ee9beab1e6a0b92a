"""An activity's field-level history (django-simple-history), read once for every door.

`entries` turns a page of historical records into neutral entries: which of SHOWN_FIELDS went from what to
what (raw values: ids for related rows, sorted ids for the participating states), who made the change and
why. The activity page words them for people (tracker/selectors: names and labels), the API serialises them
as they are (tracker/api/history.py). Both doors therefore show the same fields.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tracker.models import Activity

#: The fields a history shows, in this order. Left out: the id, the version (each entry carries it) and the
#: creation time, which never change.
SHOWN_FIELDS: tuple[str, ...] = (
    "code", "priority", "title", "title_ru", "description", "description_ru", "kind", "status", "start_date",
    "due_date", "completed_date", "progress", "responsible_body", "lead_state", "location", "source_quote",
    "external_source", "external_id", "date_basis", "date_basis_note", "date_basis_note_ru", "date_confirmed_by",
    "date_confirmed_at",
)
STATES_FIELD = "participating_states"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any  # None for a created record
    new: Any


@dataclass(frozen=True)
class Entry:
    history_id: int
    at: dt.datetime
    kind: str  # "+" created, "~" changed, "-" deleted
    version: int
    user: str | None  # the signed-in user's name, when the change had one
    reason: str | None  # the raw change reason (tracker/logtext.py words it per reader)
    changes: list[FieldChange]


def participating_states_model() -> Any:
    """simple-history's model of the participating states as each historical record saw them."""
    return Activity.history.model.participating_states.model


def records(activity_id: int) -> QuerySet:
    """The activity's historical records, newest first (the unit a door pages through)."""
    return (
        Activity.history.filter(id=activity_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def previous_record(activity_id: int, page: Sequence[Any]) -> Any | None:
    """The record just before the page's oldest one, to compare that one with. One query."""
    if not page:
        return None
    oldest = page[-1]
    return (
        records(activity_id)
        .filter(history_date__lte=oldest.history_date)
        .exclude(history_id__in=[r.history_id for r in page])
        .first()
    )


def entries(page: Sequence[Any], previous: Any | None) -> list[Entry]:
    """A page of records (newest first) as entries; `previous` is the record before the page's oldest one
    (None when the page reaches the creation). A record that changed no shown field is left out (a milestone
    ticked, a note reported: the progress log has those). One query, for the participating states."""
    chain = [*page, previous] if previous is not None else list(page)
    states = _participating_states([r.history_id for r in chain])
    found = []
    for index, record in enumerate(page):
        before = chain[index + 1] if index + 1 < len(chain) else None
        changes = _changes(before, record, states)
        if record.history_type == "~" and not changes:
            continue
        found.append(Entry(
            history_id=record.history_id,
            at=record.history_date,
            kind=record.history_type,
            version=record.version,
            user=record.history_user.get_username() if record.history_user_id else None,
            reason=record.history_change_reason,
            changes=changes,
        ))
    return found


def _changes(before: Any, after: Any, states: dict[int, list[int]]) -> list[FieldChange]:
    changes = []
    for name in SHOWN_FIELDS:
        attname = Activity._meta.get_field(name).attname
        new = getattr(after, attname)
        old = getattr(before, attname) if before is not None else None
        if before is None and new in (None, ""):
            continue  # a created record lists only the fields that were filled in
        if old != new:
            changes.append(FieldChange(name, old, new))
    new_states = states.get(after.history_id, [])
    old_states = states.get(before.history_id, []) if before is not None else []
    if new_states != old_states:
        changes.append(FieldChange(STATES_FIELD, old_states if before is not None else None, new_states))
    return changes


def _participating_states(history_ids: list[int]) -> dict[int, list[int]]:
    """Participating state ids as each historical record saw them. One query."""
    result: dict[int, list[int]] = defaultdict(list)
    rows = participating_states_model().objects.filter(history_id__in=history_ids)
    for history_id, state_id in rows.values_list("history_id", "memberstate_id"):
        result[history_id].append(state_id)
    return {key: sorted(value) for key, value in result.items()}
