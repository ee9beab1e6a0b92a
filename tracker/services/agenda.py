"""Activity writes, item by item. Each function runs in one transaction: it checks permissions, plans the
change by the workflow's rules (tracker/services/planner.py), validates, saves the new version, logs a
ProgressUpdate and writes the outbox events.

A write locks only its activity's row (store.lock). When it is the outermost transaction, a deadlock or
serialisation failure runs it again (tracker/dbretry.py); bulk upserts take turns (_one_bulk_at_a_time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tracker import caching, clock, dbretry, events, logtext, permissions, workflow
from tracker.errors import BulkInvalid, DomainError, InvalidInput, StaleVersion
from tracker.models import Activity, DateBasis
from tracker.permissions import Actor
from tracker.services import bulk, lead, planner, schedule, store
from tracker.services.planner import Change


@dbretry.atomic
def activity_create(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    note: str = "",
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Activity:
    """Create an activity. It may start in any status; a done one is completed today. `event` is a note of
    the tracker's own (tracker/logtext.py), logged as data and worded in each reader's language."""
    planner.reject_unknown_fields(data)
    planner.check_note(note)
    planner.check_create(actor, data)
    change = planner.plan_activity_create(
        actor, data, now=clock.now(), note=note, event=event, event_params=event_params
    )
    store.validate(change.activity)
    store.save_new(change.activity)
    _carry_out(change)
    return change.activity


@dbretry.atomic
def activity_update(
    *,
    actor: Actor,
    activity: Activity,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    note: str = "",
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Activity:
    """Change any of planner.ACTIVITY_FIELDS. A changed status must be an allowed transition."""
    planner.reject_unknown_fields(changes)
    planner.check_note(note)
    locked = store.lock(activity, expected_version)
    planner.check_update(actor, locked, changes)
    return _apply(locked, actor, changes, note=note, event=event, event_params=event_params)


@dbretry.atomic
def activity_transition(
    *, actor: Actor, activity: Activity, status: str, note: str = "", expected_version: int | None = None,
    event: str = "", event_params: Mapping[str, Any] | None = None,
) -> Activity:
    """Move an activity to another status, as the workflow allows."""
    planner.check_note(note)
    locked = store.lock(activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    workflow.check_transition(locked.status, status)
    return _apply(locked, actor, {"status": status}, note=note, event=event, event_params=event_params)


@dbretry.atomic
def progress_report(
    *,
    actor: Actor,
    activity: Activity,
    progress: int | None = None,
    status: str | None = None,
    note: str = "",
    expected_version: int | None = None,
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Activity:
    """Report progress (and optionally a new status) with a note, as staff and other systems do. `event`
    overrides what the log says was reported (tracker/logtext.py)."""
    planner.check_note(note)
    locked = store.lock(activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    changes: dict[str, Any] = {}
    if progress is not None:
        if locked.milestones.exists() and progress != locked.progress:
            raise InvalidInput({"progress": [_(
                "This activity's progress follows its milestones; tick the milestones instead."
            )]})
        changes["progress"] = progress
    if status is not None and status != locked.status:
        changes["status"] = status
    if not changes and not note and not event:
        raise InvalidInput({"progress": [_("Report a progress value, a status or a note.")]})
    # Say what was reported, so that a note alone is not read as "progress reported" at the current value.
    event = event or (logtext.PROGRESS_REPORTED if progress is not None else logtext.NOTE)
    activity = _apply(locked, actor, changes, note=note, force_log=True, event=event, event_params=event_params)
    events.emit(events.PROGRESS_REPORTED, activity, {"note": str(note)})
    return activity


@dbretry.atomic
def activity_delete(*, actor: Actor, activity: Activity, expected_version: int | None = None) -> None:
    locked = store.lock(activity, expected_version)
    permissions.ensure_can_delete_activity(actor, locked)
    summary = events.activity_summary(locked)
    representation = events.representation_of(locked)  # frozen into the event before the row goes
    locked._change_reason = planner.change_reason(actor, "", event=logtext.DELETED)
    locked.delete()
    events.emit(events.ACTIVITY_DELETED, None, {"activity": summary, "by": actor.name},
                representation=representation)


@dbretry.atomic
def activity_confirm_dates(
    *, actor: Actor, activity: Activity, expected_version: int | None = None, note: str = ""
) -> Activity:
    """Staff confirm the activity's start and due dates: an assumption becomes a decision, with who and when."""
    planner.check_note(note)
    locked = store.lock(activity, expected_version)
    permissions.ensure_can_confirm_dates(actor, locked)
    if locked.date_basis == DateBasis.DECISION:
        return locked  # already someone's decision: confirming again changes nothing
    before = {name: getattr(locked, name) for name in planner.LOGGED_FIELDS}
    note = str(note)
    event = "" if note else logtext.DATES_CONFIRMED
    planner.record_decision(locked, actor, force=True)
    locked.version += 1
    locked.updated_at = clock.now()
    locked._change_reason = planner.change_reason(actor, note, event=event)
    store.save_existing(locked)
    store.log_change(locked, actor, before=before, note=note, event=event)
    events.emit(events.ACTIVITY_UPDATED, locked, {"changed": ["date_basis"]})
    return locked


@dbretry.retrying
def activity_upsert_by_ref(
    *,
    actor: Actor,
    source: str,
    ref: str,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    note: str = "",
) -> tuple[Activity, bool]:
    """Create or update the activity another system knows as (source, ref). Returns (activity, created).

    Two simultaneous first calls for one reference create one activity: the loser of the race meets the
    database's unique constraint, and then updates the winner's row instead.
    """
    data = {**data, "external_source": source, "external_id": ref}
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = _find_by_reference(source, ref)
                if existing is None:
                    if expected_version is not None:
                        raise StaleVersion(
                            _("No activity has this reference yet, so there is no version to match."),
                            current_version=0,
                        )
                    return activity_create(actor=actor, data=data, note=note), True
                changes = {k: v for k, v in data.items() if k not in ("external_source", "external_id")}
                activity = activity_update(
                    actor=actor, activity=existing, changes=changes, expected_version=expected_version, note=note
                )
                return activity, False
        except store.DuplicateReference:
            if attempt:
                raise
        except InvalidInput:
            # A concurrent first call committed the same reference between our look-up and the model's unique
            # check: that is the same race as the constraint's, so update the winner's row instead.
            if attempt or existing is not None or not Activity.objects.filter(
                external_source=source, external_id=ref
            ).exists():
                raise
    raise AssertionError("unreachable")


def _find_by_reference(source: str, ref: str) -> Activity | None:
    return Activity.objects.filter(external_source=source, external_id=ref).first()


def activities_bulk_upsert(
    *, actor: Actor, items: Iterable[Mapping[str, Any]], note: str = ""
) -> list[tuple[Activity, bool]]:
    """Upsert many activities by reference, all or nothing. Each item holds `external_source`,
    `external_id` and the fields. On failure, raise BulkInvalid with every bad item's index and fields.

    The batch runs set-based (tracker/services/bulk.py) in a bounded number of queries, carrying out the
    same plans as the item-by-item path. Batches whose meaning depends on the items' order (a reference or
    code named twice, ...) and batches that meet a concurrent writer's row (a unique constraint) run item by
    item instead, which gives the same result one query at a time."""
    planner.check_note(note)
    items = [dict(item) for item in items]
    if not items:
        return []  # nothing to write, nothing to lock

    def attempt() -> list[tuple[Activity, bool]]:
        with transaction.atomic():
            _one_bulk_at_a_time()
            caching.bump()  # the set-based path's bulk writes send no model signals
            try:
                with transaction.atomic():  # a savepoint: a fast path that gives up leaves nothing behind
                    return bulk.upsert_by_ref(actor=actor, items=items, note=note)
            except (bulk.NeedsItemByItem, IntegrityError):
                pass
            return _bulk_upsert_item_by_item(actor=actor, items=items, note=note)

    return dbretry.run(attempt)


#: The PostgreSQL advisory lock that queues bulk upserts behind each other ("trkb").
_BULK_LOCK_KEY = 0x74726B62


def _one_bulk_at_a_time() -> None:
    """Two batches that create or update overlapping references in different orders would each wait for a
    row the other holds (a deadlock seen under load). Batches are few and large, so they take turns, for the
    length of their transaction; single writes touch one activity each and cannot close such a cycle."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_BULK_LOCK_KEY])


def _bulk_upsert_item_by_item(
    *, actor: Actor, items: list[dict[str, Any]], note: str
) -> list[tuple[Activity, bool]]:
    results: list[tuple[Activity, bool]] = []
    failures: dict[int, dict[str, list[str]]] = {}
    codes: dict[int, str] = {}
    with transaction.atomic():
        for index, item in enumerate(items):
            item = dict(item)
            source, ref = item.pop("external_source", ""), item.pop("external_id", "")
            try:
                with transaction.atomic():
                    results.append(activity_upsert_by_ref(actor=actor, source=source, ref=ref, data=item, note=note))
            except DomainError as exc:
                failures[index], codes[index] = exc.field_errors(), exc.code
        if failures:
            raise BulkInvalid(failures, codes)  # leaving the block with an exception rolls every item back
    return results


# --- Carrying out a plan, one activity at a time --------------------------------------------------------

def _apply(
    activity: Activity,
    actor: Actor,
    changes: Mapping[str, Any],
    *,
    note: str,
    force_log: bool = False,
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Activity:
    current: list[int] = []
    if "participating_states" in changes:
        current = list(activity.participating_states.values_list("pk", flat=True))
    change = planner.plan_activity_change(
        activity, changes, actor, note, now=clock.now(), current_states=current, force_log=force_log,
        event=event, event_params=event_params,
    )
    if change.reopened:
        store.sync_progress_from_milestones(activity)
    if not change.saved:
        return activity  # nothing changed: no new version, no log row, no event
    store.validate(activity, changed=change.changed_columns())
    dates_moved = bool(planner.SCHEDULE_FIELDS & change.changed_columns())
    store.save_existing(activity)
    _carry_out(change)
    if dates_moved:
        schedule.dates_changed(activity)  # successors now waiting are told once (issue 17)
    return activity


def _carry_out(change: Change) -> None:
    """The saved activity's participating states, progress-log row and events."""
    if change.states is not None:
        change.activity.participating_states.set(change.states)
    if planner.touches_lead(change):
        lead.align([change.activity])
    if "priority" in change.diff and not change.created:
        store.follow_presidency([change.activity.pk])
    row = change.log_row()
    if row is not None:
        store.log(row)
    planned = change.events()
    # An update's two or three events describe one saved version: read its representation once.
    representation = events.representation_of(change.activity) if planned else None
    for event_type, activity, payload in planned:
        events.emit(event_type, activity, payload, representation=representation)
