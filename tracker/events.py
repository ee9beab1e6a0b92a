"""The transactional outbox: events are rows written in the same transaction as the change they describe.

A change that commits always has its events; a change that rolls back never does. Delivery (webhooks)
reads these rows after the commit; see tracker/webhooks.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tracker import clock, dbcopy, shape, workflow
from tracker.models import Activity, OutboxEvent, Participation
from tracker.models.integration import (  # the vocabulary lives beside OutboxEvent; re-exported for the writers
    ACTIVITY_CREATED,
    ACTIVITY_DELETED,
    ACTIVITY_OVERDUE,
    ACTIVITY_STATUS_CHANGED,
    ACTIVITY_UPDATED,
    ACTIVITY_WAITING,
    ASSESSMENT_CREATED,
    BASELINE_APPROVED,
    COMMENT_MENTIONED,
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
    WEBHOOK_DISABLED,
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
    "COMMENT_MENTIONED",
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
    "WEBHOOK_DISABLED",
    "activity_representation",
    "activity_summary",
    "after_commit_listeners",
    "document",
    "emit",
    "emit_many",
    "representation_of",
]

#: Called after commit with the ids of the events just committed; the delivery machinery registers here.
after_commit_listeners: list[Callable[[list[str]], None]] = []


def activity_summary(activity: Activity) -> dict[str, Any]:
    """The activity as the event recorded it (shape.SUMMARY_FIELDS), in JSON types."""
    summary: dict[str, Any] = {name: getattr(activity, name) for name in shape.SUMMARY_FIELDS}
    summary["id"] = activity.pk
    summary["due_date"] = activity.due_date.isoformat() if activity.due_date else None
    return summary


def activity_representation(activity: Activity) -> dict[str, Any]:
    """The activity as events carry it (shape.WEBHOOK_FIELDS): related rows as their codes."""
    stored = {name: getattr(activity, name) for name in _STORED}
    stored.update({
        "presidency": activity.priority.presidency.code,
        "priority": activity.priority.number,
        "responsible_body": activity.responsible_body.code,
        "lead_state": activity.lead_state.code if activity.lead_state_id else None,
        "owner": activity.owner.get_username() if activity.owner_id else None,
    })
    parts = [(p.memberstate.code, p.role, p.level, p.confirmed, p.note) for p in activity.participations.all()]
    return _shaped(stored, parts)


#: The activity's own columns a representation carries.
_STORED: tuple[str, ...] = tuple(
    name for name in shape.WEBHOOK_FIELDS
    if name not in {*shape.RELATED_FIELDS, *shape.DERIVED_FIELDS, "participations", "owner"}
)


#: The datetime columns among them.
_TIMES: tuple[str, ...] = tuple(
    name for name in _STORED if Activity._meta.get_field(name).get_internal_type() == "DateTimeField")


@functools.cache
def _read() -> dict[str, str]:
    """The same fields, and the related rows' codes, as one read of many activities gives them."""
    return {
        **{name: name for name in _STORED},
        "presidency": "priority__presidency__code", "priority": "priority__number",
        "responsible_body": "responsible_body__code", "lead_state": "lead_state__code",
        "owner": f"owner__{get_user_model().USERNAME_FIELD}",
    }


def _shaped(stored: dict[str, Any], parts: list[tuple[Any, ...]], today: dt.date | None = None) -> dict[str, Any]:
    """The representation from the activity's columns and codes, and its participations as (state code,
    role, level, confirmed, note): the participating states are the participations' states. Many activities
    pass `today` once (asking the clock costs a thread-local time zone lookup each time)."""
    today = today or clock.today()
    stored["participating_states"] = sorted(part[0] for part in parts)
    # Each state's part (tracker/models/participation.py); the list above stays for older receivers.
    stored["participations"] = sorted(
        ({"state": state, "role": role, "level": level, "confirmed": confirmed, "note": note}
         for state, role, level, confirmed, note in parts),
        key=lambda row: row["state"],
    )
    stored["overdue"] = workflow.is_overdue(status=stored["status"], due_date=stored["due_date"], today=today)
    stored["days_left"] = workflow.days_left(due_date=stored["due_date"], today=today)
    return {name: stored[name] for name in shape.WEBHOOK_FIELDS}


#: The codes of the rows an activity names, as a writer that has just read them knows them: "priority" maps a
#: priority's id to (its presidency's code, its number); "responsible_body", "lead_state" and "owner" map ids
#: to codes (a username for the owner).
RelatedCodes = Mapping[str, Mapping[int, Any]]


def _representations(activity_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """activity_representation() of many activities as saved in this transaction, in two queries and
    without model instances (a bulk write's 500 activities cost more to build than to read)."""
    ids = sorted({pk for pk in activity_ids if pk is not None})
    if not ids:
        return {}
    parts = _parts(ids)
    read = _read()
    shapes = {}
    today = clock.today()
    for row in Activity.objects.filter(pk__in=ids).values_list(*read.values()):
        stored = dict(zip(read, row, strict=True))
        shapes[stored["id"]] = _shaped(stored, parts[stored["id"]], today)
    return shapes


def _parts(ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The activities' participations as _shaped takes them, in one query."""
    parts: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in ids}
    rows = Participation.objects.filter(activity_id__in=dbcopy.ids(ids, Participation)).values_list(
        "activity_id", "memberstate__code", "role", "level", "confirmed", "note")
    for activity_id, *part in rows:
        parts[activity_id].append(tuple(part))
    return parts


def _representations_of(activities: Iterable[Activity], codes: RelatedCodes) -> dict[int, dict[str, Any]]:
    """_representations() of activities whose saved columns the caller holds (a bulk write's own instances,
    as written) and whose related rows' codes it has read: only the participations are read back (one query).
    The columns are the values the write sent, which the database returns unchanged."""
    latest = {a.pk: a for a in activities if a.pk is not None}
    unknown = {pk for pk, a in latest.items() if a.priority_id not in codes["priority"]
               or a.responsible_body_id not in codes["responsible_body"]
               or (a.lead_state_id and a.lead_state_id not in codes["lead_state"])
               or (a.owner_id and a.owner_id not in codes["owner"])}
    shapes = _representations(unknown)  # not expected: read back whatever the caller's codes do not cover
    latest = {pk: a for pk, a in latest.items() if pk not in unknown}
    if not latest:
        return shapes
    parts = _parts(sorted(latest))
    today = clock.today()
    for pk, activity in latest.items():
        stored = {name: getattr(activity, name) for name in _STORED}
        for name in _TIMES:  # as the database gives them back: in UTC (the demo's clock writes local times)
            if stored[name] is not None and stored[name].tzinfo is not None:
                stored[name] = stored[name].astimezone(dt.UTC)
        presidency, number = codes["priority"][activity.priority_id]
        stored.update({
            "presidency": presidency, "priority": number,
            "responsible_body": codes["responsible_body"][activity.responsible_body_id],
            "lead_state": codes["lead_state"][activity.lead_state_id] if activity.lead_state_id else None,
            "owner": codes["owner"][activity.owner_id] if activity.owner_id else None,
        })
        shapes[pk] = _shaped(stored, parts[pk], today)
    return shapes


def _load(activity_ids: Iterable[int]) -> dict[int, Activity]:
    """The activities as saved in this transaction, with what their representation reads (3 queries)."""
    ids = sorted({pk for pk in activity_ids if pk is not None})
    if not ids:
        return {}
    rows = (
        Activity.objects.select_related("priority__presidency", "responsible_body", "lead_state", "owner")
        .prefetch_related("participations__memberstate")
        .filter(pk__in=ids)
    )
    return {row.pk: row for row in rows}


def document(event: OutboxEvent, representation: dict[str, Any] | None) -> str:
    """The event as every reader sees it, frozen when it is written: id, type, time, the activity as it was
    at that moment (or the summary recorded with it, for a deleted one) and what the event says."""
    payload = dict(event.payload or {})
    recorded = payload.pop("activity", None)
    return _document(event.pk, event.event_type, event.created_at,
                     _encode(representation if representation is not None else recorded), payload)


def _document(event_id: Any, event_type: str, created_at: dt.datetime, activity: str, data: dict[str, Any]) -> str:
    """document()'s bytes from its parts, the activity already encoded (a bulk write's events of one activity
    share it): the same bytes json.dumps of the whole gives (the same encoder and separators, keys in order)."""
    return "".join((
        '{"id":', _encode(str(event_id)), ',"type":', _encode(event_type), ',"created_at":', _encode(created_at),
        ',"activity":', activity, ',"data":', _encode(data), "}",
    ))


#: One encoder for every part of a document (json.dumps with these options builds the same one each call).
_encode = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def emit(
    event_type: str, activity: Activity | None, data: dict[str, Any] | None = None, *,
    representation: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write an event row inside the caller's transaction and announce it once that transaction commits.

    Its body is frozen now: every delivery and the events feed send these bytes, whatever happens to the
    activity later. `representation` gives the activity's shape when the row is about to go (a deletion)."""
    payload: dict[str, Any] = dict(data or {})
    if activity is not None:
        payload.setdefault("activity", activity_summary(activity))
        representation = representation or representation_of(activity)
    event = OutboxEvent(event_type=event_type, activity=activity, payload=payload)
    event.body = document(event, representation)
    event.save(force_insert=True)
    _pending().append(str(event.pk))
    transaction.on_commit(_flush)
    return event


def representation_of(activity: Activity) -> dict[str, Any] | None:
    """The activity's representation as saved so far in this transaction (None once it is deleted)."""
    loaded = _load([activity.pk]).get(activity.pk)
    return activity_representation(loaded) if loaded is not None else None


def emit_many(
    batch: Sequence[tuple[str, Activity | None, dict[str, Any] | None]], *, codes: RelatedCodes | None = None,
) -> list[str]:
    """emit() for many events in one INSERT: the same rows, in the same order, announced after the commit;
    the activities' representations are read in one go. Returns the events' ids. The rows are written from
    their values, not as model instances (1,000 instances cost more than their COPY).

    With `codes` (a writer that has just saved the batch's activities from these very instances, and read
    their related rows' codes), the representations are built from the instances instead of read back."""
    activities = [activity for _, activity, _ in batch if activity is not None]
    if codes is None:
        shapes = _representations(activity.pk for activity in activities)
    else:
        shapes = _representations_of(activities, codes)
    rows: list[list[Any]] = []
    encodings: dict[int, str] = {}  # each activity's representation, encoded once for all its events
    last: dt.datetime | None = None
    for event_type, activity, data in batch:
        payload: dict[str, Any] = dict(data or {})
        if activity is not None:
            payload.setdefault("activity", activity_summary(activity))
        created_at = timezone.now()
        if last is not None and created_at <= last:
            # Events are read in created_at order; one after another, as emit() gives them, they keep it.
            created_at = last + dt.timedelta(microseconds=1)
        last = created_at
        event_id = uuid.uuid4()  # OutboxEvent.id's default
        activity_id = activity.pk if activity is not None else None
        data_part = dict(payload)
        recorded = data_part.pop("activity", None)
        if activity_id in shapes:
            encoded = encodings.get(activity_id)
            if encoded is None:
                encoded = encodings[activity_id] = _encode(shapes[activity_id])
        else:
            encoded = _encode(recorded)
        body = _document(event_id, event_type, created_at, encoded, data_part)
        rows.append([event_id, event_type, activity_id, payload, created_at, body])
    if not rows:
        return []
    dbcopy.insert_rows(OutboxEvent, ["id", "event_type", "activity_id", "payload", "created_at", "body"], rows)
    ids = [str(row[0]) for row in rows]
    _pending().extend(ids)
    transaction.on_commit(_flush)
    return ids


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
    gone = _not_written(ids)
    event_ids = [event_id for event_id in ids if event_id not in gone] if gone else ids
    if event_ids:
        _announce(event_ids)


def _not_written(ids: list[str]) -> set[str]:
    """Which of the ids have no row (their savepoint rolled back). On PostgreSQL one statement with the ids as
    one text, answering only the missing ones (usually none): 1,000 ids as ORM parameters and rows back cost
    a bulk write more than its outbox's COPY."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        written: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            written.update(str(pk) for pk in OutboxEvent.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        return set(ids) - written
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT given FROM unnest(string_to_array(%s, ',')) AS given "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS event WHERE event.id = given::uuid)",
            [",".join(ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def _announce(event_ids: list[str]) -> None:
    for listener in after_commit_listeners:
        listener(event_ids)
