"""An activity's field-level history (django-simple-history), newest first: for each recorded change, which
fields went from what to what, and who made it. A page of records costs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from tracker import logtext
from tracker.models import Activity

#: The fields shown in the history, in this order; foreign keys are shown as ids.
HISTORY_FIELDS = (
    "code", "priority", "title", "title_ru", "description", "description_ru", "kind", "status", "start_date",
    "due_date", "completed_date", "progress", "responsible_body", "lead_state", "location", "external_source",
    "external_id",
)
_M2M_FIELD = "participating_states"
_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def history_records(activity_id: int) -> QuerySet:
    """The activity's historical records, newest first (the unit that is paginated)."""
    return (
        Activity.history.filter(id=activity_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def history_entries(activity_id: int, records: list) -> list[dict[str, Any]]:
    """Turn a page of records (newest first) into entries with their field changes.

    Each record is compared with the one before it; the oldest record of the page is compared with its
    predecessor, fetched in one more query. Records that changed nothing shown here are left out.
    """
    if not records:
        return []
    oldest = records[-1]
    previous = (
        Activity.history.filter(id=activity_id)
        .filter(history_date__lte=oldest.history_date)
        .exclude(history_id__in=[r.history_id for r in records])
        .order_by("-history_date", "-history_id")
        .first()
    )
    chain = [*records, previous] if previous is not None else list(records)
    states = _participating_states([r.history_id for r in chain])

    entries = []
    for index, record in enumerate(records):
        before = chain[index + 1] if index + 1 < len(chain) else None
        changes = _changes(before, record, states)
        kind = _TYPES.get(record.history_type, "changed")
        if kind == "changed" and not changes:
            continue  # e.g. the extra record simple-history writes when a many-to-many set is re-saved as is
        entries.append({
            "history_id": record.history_id,
            "at": record.history_date,
            "type": kind,
            "version": record.version,
            "user": record.history_user.get_username() if record.history_user_id else None,
            "reason": logtext.api_reason(record.history_change_reason),
            "reason_data": logtext.reason_data(record.history_change_reason),
            "changes": changes,
        })
    return entries


def _value(record: Any, field: str) -> Any:
    attname = Activity._meta.get_field(field).attname
    value = getattr(record, attname)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _changes(before: Any, after: Any, states: dict[int, list[int]]) -> list[dict[str, Any]]:
    changes = []
    for field in HISTORY_FIELDS:
        new = _value(after, field)
        old = _value(before, field) if before is not None else None
        if before is None and new in (None, ""):
            continue  # a created record lists only the fields that were filled in
        if old != new:
            changes.append({"field": field, "old": old, "new": new})
    new_states = states.get(after.history_id, [])
    old_states = states.get(before.history_id, []) if before is not None else []
    if new_states != old_states:
        changes.append({"field": _M2M_FIELD, "old": old_states if before is not None else None, "new": new_states})
    return changes


def _participating_states(history_ids: list[int]) -> dict[int, list[int]]:
    """Participating state ids as each historical record saw them. One query."""
    through = _m2m_history_model()
    result: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(history_id__in=history_ids).values_list("history_id", "memberstate_id")
    for history_id, state_id in rows:
        result[history_id].append(state_id)
    return {key: sorted(value) for key, value in result.items()}


def _m2m_history_model() -> Any:
    """simple-history's model of the participating states as each historical record saw them."""
    historical = Activity.history.model
    for relation in historical._meta.related_objects:
        if relation.related_model._meta.model_name.endswith(_M2M_FIELD):
            return relation.related_model
    raise LookupError("no historical model for participating states")
