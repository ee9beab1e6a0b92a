"""Every write to the agenda. Each function runs in one transaction: it checks permissions, applies the
workflow, validates, bumps the activity's version, logs a ProgressUpdate and writes the outbox events.

The web board, the API, the admin and the background jobs call these functions and nothing else to
change activities and milestones. Names follow <thing>_<verb>; arguments are keyword-only.

A write locks only its activity's row (_lock). When it is the outermost transaction, a deadlock or
serialisation failure runs it again (tracker/dbretry.py); bulk upserts take turns (_one_bulk_at_a_time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tracker import caching, clock, dbretry, events, logtext, permissions, workflow
from tracker.errors import DomainError, InvalidInput, StaleVersion
from tracker.models import Activity, Channel, DateBasis, Milestone, ProgressUpdate
from tracker.permissions import Actor
from tracker.validators import multi_line
from tracker.workflow import Status

#: Fields a caller may set on an activity. Status changes go through the workflow even when set here.
ACTIVITY_FIELDS: frozenset[str] = frozenset({
    "code", "priority", "title", "title_ru", "description", "description_ru", "kind", "status",
    "start_date", "due_date", "progress", "responsible_body", "lead_state", "participating_states",
    "location", "external_source", "external_id", "source_quote", "date_basis", "date_basis_note",
    "date_basis_note_ru",
})
#: Dates whose change by anyone but the tracker itself makes them that writer's decision.
_DATE_FIELDS = frozenset({"start_date", "due_date"})
_M2M_FIELDS = frozenset({"participating_states"})
#: The largest checklist position the column holds (a small integer on every database).
MAX_MILESTONE_ORDER = 32767
_LOGGED_FIELDS = ("status", "progress", "due_date")


# --- Activities -----------------------------------------------------------------------------------------

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
    _reject_unknown_fields(data)
    _check_note(note)
    _reject_outsiders(data)
    body = data.get("responsible_body")
    permissions.ensure_can_create_activity(actor, getattr(body, "pk", None))

    _reject_unconfirmed_decision(data)
    activity = Activity()
    _assign(activity, {k: v for k, v in data.items() if k not in _M2M_FIELDS})
    if activity.status == Status.DONE:
        _complete(activity, data)
    now = clock.now()
    activity.created_at = activity.updated_at = now
    _validate(activity)
    _save_new(activity)
    if "participating_states" in data:
        activity.participating_states.set(data["participating_states"])
    _log(activity, actor, before=None, note=note, event=event, event_params=event_params)
    events.emit(events.ACTIVITY_CREATED, activity)
    return activity


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
    """Change any of ACTIVITY_FIELDS. A changed status must be an allowed transition."""
    _reject_unknown_fields(changes)
    _check_note(note)
    locked = _lock(activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    _reject_outsiders(changes)
    if locked.date_basis != DateBasis.DECISION:  # sending back a decision already made is no change
        _reject_unconfirmed_decision(changes)
    if "responsible_body" in changes and changes["responsible_body"] is not None:
        # Moving an activity to another body needs the right to write for that body too.
        permissions.ensure_can_create_activity(actor, changes["responsible_body"].pk)
    return _apply(locked, actor, dict(changes), note=note, event=event, event_params=event_params)


@dbretry.atomic
def activity_transition(
    *, actor: Actor, activity: Activity, status: str, note: str = "", expected_version: int | None = None,
    event: str = "", event_params: Mapping[str, Any] | None = None,
) -> Activity:
    """Move an activity to another status, as the workflow allows."""
    _check_note(note)
    locked = _lock(activity, expected_version)
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
    _check_note(note)
    locked = _lock(activity, expected_version)
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
    locked = _lock(activity, expected_version)
    permissions.ensure_can_delete_activity(actor, locked)
    summary = events.activity_summary(locked)
    locked._change_reason = _change_reason(actor, "", event=logtext.DELETED)
    locked.delete()
    events.emit(events.ACTIVITY_DELETED, None, {"activity": summary, "by": actor.name})


@dbretry.atomic
def activity_confirm_dates(
    *, actor: Actor, activity: Activity, expected_version: int | None = None, note: str = ""
) -> Activity:
    """Staff confirm the activity's start and due dates: an assumption becomes a decision, with who and when."""
    _check_note(note)
    locked = _lock(activity, expected_version)
    permissions.ensure_can_confirm_dates(actor, locked)
    if locked.date_basis == DateBasis.DECISION:
        return locked  # already someone's decision: confirming again changes nothing
    before = {name: getattr(locked, name) for name in _LOGGED_FIELDS}
    note = str(note)
    event = "" if note else logtext.DATES_CONFIRMED
    _record_decision(locked, actor, force=True)
    locked.version += 1
    locked.updated_at = clock.now()
    locked._change_reason = _change_reason(actor, note, event=event)
    _save_existing(locked)
    _log(locked, actor, before=before, note=note, event=event)
    events.emit(events.ACTIVITY_UPDATED, locked, {"changed": ["date_basis"]})
    return locked


@dbretry.atomic
def milestone_confirm_date(
    *, actor: Actor, milestone: Milestone, expected_version: int | None = None
) -> Milestone:
    """Staff confirm a milestone and its date: an assumption becomes a decision, with who and when."""
    locked = _lock(milestone.activity, expected_version)
    permissions.ensure_can_confirm_dates(actor, locked)
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if current.date_basis == DateBasis.DECISION:
        return current
    _record_decision(current, actor, force=True)
    current.save()
    params = _milestone_params(current)
    before = {name: getattr(locked, name) for name in _LOGGED_FIELDS}
    _after_milestone_change(locked, actor, event=logtext.MILESTONE_CONFIRMED, params=params)
    _log(locked, actor, before=before, note="", event=logtext.MILESTONE_CONFIRMED, event_params=params)
    return current


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
        except _DuplicateReference:
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

    The batch runs set-based (tracker/bulk.py) in a bounded number of queries. Batches whose meaning depends
    on the items' order (a reference or code named twice, ...) and batches that meet a concurrent writer's
    row (a unique constraint) run item by item instead, which gives the same result one query at a time."""
    from tracker import bulk  # bulk builds on this module's helpers

    _check_note(note)
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
            except InvalidInput as exc:
                failures[index], codes[index] = exc.errors, exc.code
            except DomainError as exc:
                failures[index], codes[index] = {exc.field or "non_field_errors": [exc.message]}, exc.code
        if failures:
            raise BulkInvalid(failures, codes)  # leaving the block with an exception rolls every item back
    return results


class BulkInvalid(InvalidInput):
    """Some items of a bulk request were refused; `item_errors` maps each index to its field errors and
    `item_codes` each index to the refusal's kind (a DomainError code, e.g. "permission_denied")."""

    code = "bulk_invalid"

    def __init__(self, item_errors: dict[int, dict[str, list[str]]], item_codes: dict[int, str] | None = None) -> None:
        self.item_errors = item_errors
        self.item_codes = item_codes or {}
        first = min(item_errors)
        super().__init__({f"items[{first}].{f}": m for f, m in item_errors[first].items()})


# --- Milestones -----------------------------------------------------------------------------------------

@dbretry.atomic
def milestone_create(
    *,
    actor: Actor,
    activity: Activity,
    title: str,
    title_ru: str = "",
    due_date: dt.date | None = None,
    order: int | None = None,
    done: bool = False,
    date_basis: str = "",
    date_basis_note: str = "",
    date_basis_note_ru: str = "",
) -> Milestone:
    locked = _lock(activity, None)
    permissions.ensure_can_edit_activity(actor, locked)
    _reject_unconfirmed_decision({"date_basis": date_basis})
    if order is None:
        last = locked.milestones.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
        if order > MAX_MILESTONE_ORDER:
            raise InvalidInput({"order": [_(
                "There is no free position after %(max)s in this checklist; give the milestone an order."
            ) % {"max": MAX_MILESTONE_ORDER}]})
    milestone = Milestone(
        activity=locked, title=title, title_ru=title_ru, due_date=due_date, order=order, done=done,
        date_basis=date_basis, date_basis_note=date_basis_note, date_basis_note_ru=date_basis_note_ru,
    )
    if done:
        milestone.done_at = clock.now()
    _validate(milestone)
    milestone.save()
    _after_milestone_change(locked, actor, event=logtext.MILESTONE_ADDED, params=_milestone_params(milestone))
    return milestone


@dbretry.atomic
def milestone_update(
    *, actor: Actor, milestone: Milestone, changes: Mapping[str, Any], expected_version: int | None = None
) -> Milestone:
    """Change a milestone. `expected_version` is the activity's version the caller saw, if it checks one."""
    allowed = {"title", "title_ru", "due_date", "order", "done"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    locked = _lock(milestone.activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    was_done = current.done
    old_due = current.due_date
    for name, value in changes.items():
        setattr(current, name, value)
    if "due_date" in changes and current.due_date != old_due:
        _record_decision(current, actor)
    if current.done and not was_done:
        current.done_at = clock.now()
    elif not current.done:
        current.done_at = None
    _validate(current)
    current.save()
    if "done" in changes and current.done != was_done:
        event = logtext.MILESTONE_DONE if current.done else logtext.MILESTONE_UNDONE
    else:
        event = ""
    _after_milestone_change(locked, actor, event=event, params=_milestone_params(current) if event else None)
    if current.done and not was_done:
        events.emit(events.MILESTONE_COMPLETED, locked, {"milestone": {"id": current.pk, "title": current.title}})
    return current


def milestone_toggle(
    *, actor: Actor, milestone: Milestone, done: bool | None = None, expected_version: int | None = None
) -> Milestone:
    """Tick or untick a milestone; without `done`, flip it. With `expected_version` (the activity's version
    the caller saw), a change someone else made meanwhile raises StaleVersion instead of being overridden."""
    target = (not milestone.done) if done is None else done
    return milestone_update(
        actor=actor, milestone=milestone, changes={"done": target}, expected_version=expected_version
    )


@dbretry.atomic
def milestone_delete(*, actor: Actor, milestone: Milestone) -> None:
    locked = _lock(milestone.activity, None)
    permissions.ensure_can_edit_activity(actor, locked)
    params = _milestone_params(milestone)
    Milestone.objects.filter(pk=milestone.pk).delete()
    _after_milestone_change(locked, actor, event=logtext.MILESTONE_REMOVED, params=params)


def _milestone_params(milestone: Milestone) -> dict[str, str]:
    """The milestone's title in both languages, so each reader sees their own."""
    params = {"title": milestone.title}
    if milestone.title_ru:
        params["title_ru"] = milestone.title_ru
    return params


# --- Internals ------------------------------------------------------------------------------------------

class _DuplicateReference(Exception):
    """Raised inside a savepoint when a concurrent writer created the same external reference first."""


def _reject_unconfirmed_decision(data: Mapping[str, Any]) -> None:
    """A decision records who confirmed it and when, so it is made by confirming, never typed in."""
    if data.get("date_basis") == DateBasis.DECISION:
        raise InvalidInput({"date_basis": [_(
            "A date becomes a decision when staff confirm it; set 'source' or 'assumption' here."
        )]})


def _record_decision(item: Activity | Milestone, actor: Actor, *, force: bool = False) -> None:
    """Mark `item`'s date as `actor`'s decision. Without `force`, only dates that already carry a basis
    change it (a moved date is no longer the seed's assumption), and never for the tracker itself."""
    if not force and (not item.date_basis or actor.channel == Channel.SYSTEM):
        return
    item.date_basis = DateBasis.DECISION
    item.date_confirmed_by = actor.name
    item.date_confirmed_at = clock.now()


def _reject_unknown_fields(data: Mapping[str, Any]) -> None:
    unknown = set(data) - ACTIVITY_FIELDS
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in sorted(unknown)})


def _reject_outsiders(data: Mapping[str, Any]) -> None:
    """Participating states must be members or observers (the rule: services_commitments.participation_refusal)."""
    if data.get("participating_states"):
        from tracker.services_commitments import participation_refusal

        refusal = participation_refusal(data["participating_states"])
        if refusal:
            raise InvalidInput(refusal)


def _lock(activity: Activity, expected_version: int | None) -> Activity:
    """Load the activity's current row under a lock and check the version the writer expects.

    On PostgreSQL the row lock makes the check and the write one step for concurrent writers; on SQLite
    the IMMEDIATE transaction already holds the database's write lock.
    """
    # Lock the activity's row only: locking the joined priority and presidency rows too made every write in
    # a presidency queue on its one row, and deadlock with the foreign-key checks of other writers.
    rows = Activity.objects.select_for_update(of=("self",))
    try:
        locked = rows.select_related("priority__presidency").get(pk=activity.pk)
    except Activity.DoesNotExist:
        # PostgreSQL re-checks a joined row that a concurrent writer changed while we waited (a new
        # priority) against the old join and drops it. Read the row alone: gone only if it is really gone.
        try:
            locked = rows.get(pk=activity.pk)
        except Activity.DoesNotExist:
            raise InvalidInput({"id": [_("This activity no longer exists.")]}) from None
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            _("Someone else changed this activity meanwhile (now version %(current)s, you had %(expected)s). "
              "Reload it and apply your change again.")
            % {"current": locked.version, "expected": expected_version},
            current_version=locked.version,
        )
    return locked


def _assign(activity: Activity, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if value is None and name in {"title_ru", "description", "description_ru", "location"}:
            value = ""
        if name == "code" and not value:
            value = None  # blank codes are absent, not all equal to ""
        setattr(activity, name, value)


def _apply(
    activity: Activity,
    actor: Actor,
    changes: dict[str, Any],
    *,
    note: str,
    force_log: bool = False,
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Activity:
    note = str(note)  # callers may pass lazy translations
    before = {name: getattr(activity, name) for name in _LOGGED_FIELDS}
    stored = _field_values(activity)
    requested_status = changes.pop("status", None)
    m2m = {
        name: list(value) for name, value in changes.items()
        if name in _M2M_FIELDS and {o.pk for o in value} != set(getattr(activity, name).values_list("pk", flat=True))
    }
    # Only real differences count: a client re-sending the same values makes no new version and no event.
    diff = {
        name: value for name, value in changes.items()
        if name not in _M2M_FIELDS and _differs(activity, name, value)
    }

    new_status = requested_status or activity.status
    if requested_status is None and diff.get("progress") is not None:
        new_status = workflow.status_after_progress(activity.status, diff["progress"])
    _assign(activity, diff)
    if _DATE_FIELDS & set(diff) and "date_basis" not in diff:
        _record_decision(activity, actor)
    elif "date_basis" in diff and activity.date_basis != DateBasis.DECISION:
        # Back to the source or an assumption: nobody answers for the date as a decision any more.
        activity.date_confirmed_by, activity.date_confirmed_at = "", None
    if new_status != activity.status:
        workflow.check_transition(activity.status, new_status)
        reopening = workflow.is_reopening(activity.status, new_status)
        activity.status = new_status
        if new_status == Status.DONE:
            _complete(activity, diff)
        elif reopening:
            activity.completed_date = None
            _sync_progress_from_milestones(activity)
    elif activity.status == Status.DONE and diff.get("progress") not in (None, 100):
        raise InvalidInput({"progress": [_("A done activity's progress is 100; reopen it to report less.")]})

    status_changed = activity.status != before["status"]
    if not diff and not m2m and not status_changed and not force_log:
        return activity  # nothing changed: no new version, no log row, no event

    activity.version += 1
    activity.updated_at = clock.now()
    activity._change_reason = _change_reason(actor, note, event=event, params=event_params)
    _validate(activity, changed=_changed_fields(activity, stored))
    _save_existing(activity)
    for name, value in m2m.items():
        getattr(activity, name).set(value)

    changed = {name for name in _LOGGED_FIELDS if getattr(activity, name) != before[name]}
    if changed or force_log:
        _log(activity, actor, before=before, note=note, event=event, event_params=event_params)
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": sorted(set(diff) | set(m2m) | changed)})
    if status_changed:
        events.emit(
            events.ACTIVITY_STATUS_CHANGED, activity,
            {"from": before["status"], "to": activity.status, "note": note or _site_text(event, event_params)},
        )
    return activity


def _check_note(note: str) -> None:
    """A note is multi-line text: the same control-character rule as descriptions (tracker/validators.py)."""
    try:
        multi_line(str(note))
    except ValidationError as exc:
        raise InvalidInput({"note": list(exc.messages)}) from None


def _site_text(event: str, params: Mapping[str, Any] | None) -> str:
    """An event's sentence in the site's language, for payloads read by other systems (webhooks)."""
    with translation.override(settings.LANGUAGE_CODE):
        return logtext.describe(event, params)


def _change_reason(
    actor: Actor, note: str, *, event: str = "", params: Mapping[str, Any] | None = None
) -> str:
    """The history record's reason as data (who, the tracker's event, the start of the note), worded when
    read (tracker/logtext.py). The column holds 100 characters; the whole note is in the ProgressUpdate log."""
    return logtext.change_reason(channel=actor.channel, actor=actor.name, event=event, params=params, note=str(note))


def _differs(activity: Activity, name: str, value: Any) -> bool:
    field = Activity._meta.get_field(name)
    if field.many_to_one:  # compare ids, so that checking a foreign key costs no query
        return getattr(activity, field.attname) != (value.pk if value is not None else None)
    return getattr(activity, name) != value


def _complete(activity: Activity, requested: Mapping[str, Any]) -> None:
    """Done means finished: completed today, progress 100."""
    if requested.get("progress") not in (None, 100):
        raise InvalidInput({"progress": [_("A done activity's progress is 100.")]})
    activity.progress = 100
    activity.completed_date = clock.today()


def _sync_progress_from_milestones(activity: Activity) -> bool:
    """Where an activity has milestones, its progress is the share of them ticked. Returns whether it changed."""
    if activity.status == Status.DONE:
        return False
    derived = workflow.progress_from_milestones(activity.milestones.values_list("done", flat=True))
    if derived is None or derived == activity.progress:
        return False
    activity.progress = derived
    return True


def _after_milestone_change(
    activity: Activity, actor: Actor, *, event: str, params: Mapping[str, Any] | None = None
) -> None:
    before = {name: getattr(activity, name) for name in _LOGGED_FIELDS}
    progress_changed = _sync_progress_from_milestones(activity)
    if progress_changed and activity.status == Status.PLANNED:
        activity.status = workflow.status_after_progress(activity.status, activity.progress)
    activity.version += 1
    activity.updated_at = clock.now()
    activity._change_reason = _change_reason(actor, "", event=event, params=params)
    _save_existing(activity)
    if progress_changed:
        _log(activity, actor, before=before, note="", event=event, event_params=params)
    changed = ["milestones", "progress"] if progress_changed else ["milestones"]
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": changed})


def _field_values(instance: Activity) -> dict[str, Any]:
    return {field.name: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _changed_fields(instance: Activity, stored: Mapping[str, Any]) -> set[str]:
    return {name for name, value in _field_values(instance).items() if stored[name] != value}


def _validate(instance: Activity | Milestone, changed: set[str] | None = None) -> None:
    """The model's validation. With `changed`, field checks and unique checks cover only those fields (the
    stored ones passed when they were written; checking them again costs a query per key and unique
    field), while the model's own clean() still judges the whole activity, dates included."""
    exclude = {"participating_states", "watchers"}
    if changed is not None:
        exclude |= {field.name for field in instance._meta.concrete_fields} - changed
    try:
        instance.full_clean(exclude=sorted(exclude))
    except ValidationError as exc:
        errors = {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
        raise InvalidInput(errors) from None


def _save_new(activity: Activity) -> None:
    activity._history_date = activity.updated_at  # the history's time is the write's (clock.now())
    try:
        with transaction.atomic():
            activity.save(force_insert=True)
    except IntegrityError:
        # full_clean checked the unique fields; a concurrent writer got there between the check and the insert.
        if activity.external_id and Activity.objects.filter(
            external_source=activity.external_source, external_id=activity.external_id
        ).exists():
            raise _DuplicateReference() from None
        raise InvalidInput({"code": [_("An activity with this code or reference already exists.")]}) from None


def _save_existing(activity: Activity) -> None:
    activity._history_date = activity.updated_at
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        raise InvalidInput(
            {"external_id": [_("Another activity already has this code or external reference.")]}
        ) from None


def _log(
    activity: Activity,
    actor: Actor,
    *,
    before: Mapping[str, Any] | None,
    note: str,
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> ProgressUpdate:
    before = before or {}
    return ProgressUpdate.objects.create(
        activity=activity,
        user=actor.user,
        api_client=actor.api_client,
        actor_name=actor.name,
        channel=actor.channel,
        old_status=before.get("status", "") or "",
        new_status=activity.status,
        old_progress=before.get("progress"),
        new_progress=activity.progress,
        old_due_date=before.get("due_date"),
        new_due_date=activity.due_date,
        note=note,
        created_at=activity.updated_at,
        event=event,
        event_params=dict(event_params or {}),
    )
