"""The activity's shape outside the tracker, declared once.

Three readers see an activity, each for a reason of its own:

- the API (`API_FIELDS`): every stored field, related rows as ids (an integrator follows them to
  /api/v1/bodies/<id>/ and so on) and, in `codes`, as the codes writes also accept (`CODE_FIELDS`), plus
  the derived `overdue`, `days_left` and `allowed_transitions`;
- webhooks (`WEBHOOK_FIELDS`): the same fields, but related rows as their codes ("MFA", "BY"), because a
  webhook is read on its own by a system that may hold no API key to look an id up; and each state's part
  (`participations`: role, level, confirmed, note), which the API serves as its own resource;
- outbox events (`SUMMARY_FIELDS`): the few fields that identify the version an event speaks of, kept with
  the event so a deleted activity can still be named.

selectors.ACTIVITY_COLUMNS, ActivitySerializer's fields and the webhook body are derived from these.
"""

from __future__ import annotations

#: Fields that name another row: the API sends its id, webhooks its code.
RELATED_FIELDS: tuple[str, ...] = ("presidency", "priority", "responsible_body", "lead_state", "participating_states")
#: Worked out from the stored fields and today's date, never stored.
DERIVED_FIELDS: tuple[str, ...] = ("overdue", "days_left", "allowed_transitions")

#: The API's activity, in the order of its schema.
API_FIELDS: tuple[str, ...] = (
    "id", "code", "presidency", "priority", "title", "title_ru", "description", "description_ru", "kind",
    "status", "start_date", "due_date", "completed_date", "progress", "responsible_body", "lead_state",
    "participating_states", "location", "external_source", "external_id", "version", "created_at",
    "updated_at", "overdue", "days_left", "allowed_transitions", "source_quote", "date_basis",
    "date_basis_note", "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at", "owner",
    "codes",
)
#: The stored columns behind API_FIELDS, as the list endpoint reads them (foreign keys as their id columns).
STORED_COLUMNS: tuple[str, ...] = tuple(
    f"{name}_id" if name in ("priority", "responsible_body", "lead_state", "owner") else name
    for name in API_FIELDS
    if name not in DERIVED_FIELDS and name not in ("presidency", "participating_states", "codes")
)
#: The owner (issue 13) is a staff account: the API sends its user id, webhooks its username.
#: A webhook's activity: what a subscriber needs to act on a change (no source quote or date basis notes,
#: which are for the people reading the agenda, nor allowed transitions, which only the API can act on).
WEBHOOK_FIELDS: tuple[str, ...] = (
    "id", "code", "version", "title", "title_ru", "description", "description_ru", "kind", "status", "progress",
    "start_date", "due_date", "completed_date", "overdue", "days_left", "presidency", "priority",
    "responsible_body", "lead_state", "participating_states", "participations", "location", "external_source",
    "external_id", "created_at", "updated_at", "owner",
)
#: What an outbox event records of its activity.
SUMMARY_FIELDS: tuple[str, ...] = (
    "id", "code", "version", "status", "progress", "due_date", "external_source", "external_id",
)
#: The related rows' codes in the API's `codes` object: what another system knows them by.
CODE_FIELDS: tuple[str, ...] = ("presidency", "priority", "responsible_body", "lead_state", "participating_states")


def priority_code(presidency_code: str, number: int) -> str:
    """A priority's code: its presidency's code and its number there ("csto-2023:2")."""
    return f"{presidency_code}:{number}"
