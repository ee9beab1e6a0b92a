"""The transactional outbox: events are rows written in the same transaction as the change they describe.

A change that commits always has its events; a change that rolls back never does. Delivery (webhooks)
reads these rows after the commit; see tracker/webhooks.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from tracker import shape
from tracker.models import Activity, OutboxEvent
from tracker.models.integration import (  # the vocabulary lives beside OutboxEvent; re-exported for the writers
    ACTIVITY_CREATED,
    ACTIVITY_DELETED,
    ACTIVITY_OVERDUE,
    ACTIVITY_STATUS_CHANGED,
    ACTIVITY_UPDATED,
    ACTIVITY_WAITING,
    ASSESSMENT_CREATED,
    BASELINE_APPROVED,
    COMMENT_POSTED,
    COMMITMENT_OUTCOME_RECORDED,
    DEPENDENCY_CREATED,
    DEPENDENCY_DELETED,
    DOCUMENT_ADDED,
    EVENT_TYPES,
    MILESTONE_COMPLETED,
    PROGRESS_REPORTED,
    RISK_CHANGED,
    RISK_CREATED,
    STOCKTAKE_CLOSED,
)

__all__ = [
    "ACTIVITY_CREATED",
    "ACTIVITY_DELETED",
    "ACTIVITY_OVERDUE",
    "ACTIVITY_STATUS_CHANGED",
    "ACTIVITY_UPDATED",
    "ACTIVITY_WAITING",
    "ASSESSMENT_CREATED",
    "BASELINE_APPROVED",
    "COMMENT_POSTED",
    "COMMITMENT_OUTCOME_RECORDED",
    "DEPENDENCY_CREATED",
    "DEPENDENCY_DELETED",
    "DOCUMENT_ADDED",
    "EVENT_TYPES",
    "MILESTONE_COMPLETED",
    "PROGRESS_REPORTED",
    "RISK_CHANGED",
    "RISK_CREATED",
    "STOCKTAKE_CLOSED",
    "activity_summary",
    "after_commit_listeners",
    "emit",
    "emit_many",
]

#: Called after commit with the ids of the events just committed; the delivery machinery registers here.
after_commit_listeners: list[Callable[[list[str]], None]] = []


def activity_summary(activity: Activity) -> dict[str, Any]:
    """The activity as the event recorded it (shape.SUMMARY_FIELDS), in JSON types."""
    summary: dict[str, Any] = {name: getattr(activity, name) for name in shape.SUMMARY_FIELDS}
    summary["id"] = activity.pk
    summary["due_date"] = activity.due_date.isoformat() if activity.due_date else None
    return summary


def emit(event_type: str, activity: Activity | None, data: dict[str, Any] | None = None) -> OutboxEvent:
    """Write an event row inside the caller's transaction and announce it once that transaction commits."""
    payload: dict[str, Any] = dict(data or {})
    if activity is not None:
        payload.setdefault("activity", activity_summary(activity))
    event = OutboxEvent.objects.create(event_type=event_type, activity=activity, payload=payload)
    _pending().append(str(event.pk))
    transaction.on_commit(_flush)
    return event


def emit_many(batch: Sequence[tuple[str, Activity | None, dict[str, Any] | None]]) -> list[OutboxEvent]:
    """emit() for many events in one INSERT: the same rows, in the same order, announced after the commit."""
    rows: list[OutboxEvent] = []
    for event_type, activity, data in batch:
        payload: dict[str, Any] = dict(data or {})
        if activity is not None:
            payload.setdefault("activity", activity_summary(activity))
        created_at = timezone.now()
        if rows and created_at <= rows[-1].created_at:
            # Events are read in created_at order; one after another, as emit() gives them, they keep it.
            created_at = rows[-1].created_at + dt.timedelta(microseconds=1)
        rows.append(OutboxEvent(event_type=event_type, activity=activity, payload=payload, created_at=created_at))
    if not rows:
        return []
    OutboxEvent.objects.bulk_create(rows)
    _pending().extend(str(event.pk) for event in rows)
    transaction.on_commit(_flush)
    return rows


def _pending() -> list[str]:
    """Ids of events emitted on this thread's connection and not yet announced."""
    connection = transaction.get_connection()
    if not hasattr(connection, "outbox_pending"):
        connection.outbox_pending = []
    return connection.outbox_pending


def _flush() -> None:
    """Announce the events of a commit together: the first after-commit callback takes them all, the others
    find nothing left, so a bulk write costs one announcement, not one per event. Ids whose savepoint was
    rolled back are still in the list: the check against the table drops them."""
    pending = _pending()
    if not pending:
        return
    ids = list(pending)
    pending.clear()
    committed: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        committed.update(str(pk) for pk in OutboxEvent.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    event_ids = [event_id for event_id in ids if event_id in committed]
    if event_ids:
        _announce(event_ids)


def _announce(event_ids: list[str]) -> None:
    for listener in after_commit_listeners:
        listener(event_ids)
