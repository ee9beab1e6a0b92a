"""The activity page's history: tracker/history.py's entries, worded for people (names, labels, choices)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker import history, logtext
from tracker.models import Activity, Body, MemberState, Priority

_NAMED = ("priority", "responsible_body", "lead_state")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange]


def activity_history(activity: Activity, limit: int = 20) -> list[HistoryEntry]:
    """The activity's field history, newest first: what changed, from what to what, by whom. At most five
    queries: the history rows, their participating states, and the names of the referenced rows."""
    rows = list(history.records(activity.pk)[: limit + 1])  # one more, to compare the page's oldest with
    page, previous = rows[:limit], (rows[limit] if len(rows) > limit else None)
    # A created entry reads "Created." (its values are on the page), so only changes need names.
    entries = [
        entry if entry.kind != "+" else history.Entry(**{**entry.__dict__, "changes": []})
        for entry in history.entries(page, previous)
    ]

    wanted: dict[str, set[int]] = {name: set() for name in (*_NAMED, history.STATES_FIELD)}
    for entry in entries:
        for change in entry.changes:
            if change.field == history.STATES_FIELD:
                wanted[change.field].update(change.old or [], change.new or [])
            elif change.field in wanted:
                wanted[change.field].update(v for v in (change.old, change.new) if v is not None)
    names: dict[str, dict[int, str]] = {
        "priority": {p.pk: str(p) for p in Priority.objects.filter(pk__in=wanted["priority"])}
        if wanted["priority"] else {},
        "responsible_body": {b.pk: b.display_name for b in Body.objects.filter(pk__in=wanted["responsible_body"])}
        if wanted["responsible_body"] else {},
    }
    state_ids = wanted["lead_state"] | wanted[history.STATES_FIELD]
    states = {s.pk: s.display_name for s in MemberState.objects.filter(pk__in=state_ids)} if state_ids else {}
    names["lead_state"] = states

    def show(name: str, value: object) -> str:
        if value is None or value == "":
            return "—"
        if name in names:
            return names[name].get(value, f"#{value}")
        if name == history.STATES_FIELD:
            return ", ".join(sorted(states.get(pk, f"#{pk}") for pk in value)) or "—"
        model_field = Activity._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return [
        HistoryEntry(
            when=entry.at,
            who=logtext.describe_reason(entry.reason) or entry.user or "",
            kind=entry.kind,
            changes=[
                FieldChange(field=c.field, label=str(Activity._meta.get_field(c.field).verbose_name),
                            old=show(c.field, c.old), new=show(c.field, c.new))
                for c in entry.changes
            ],
        )
        for entry in entries
    ]
