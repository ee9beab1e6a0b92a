"""Every write to the agenda. Each function runs in one transaction: it checks permissions, applies the
workflow, validates, bumps the activity's version, logs a ProgressUpdate and writes the outbox events.

The web board, the API, the admin and the background jobs call these functions and nothing else to
change activities and milestones. Names follow <thing>_<verb>; arguments are keyword-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import caching, events, permissions, workflow
from tracker.errors import DomainError, InvalidInput, StaleVersion
from tracker.models import Activity, Milestone, ProgressUpdate
from tracker.permissions import Actor
from tracker.validators import multi_line
from tracker.workflow import Status

#: Fields a caller may set on an activity. Status changes go through the workflow even when set here.
ACTIVITY_FIELDS: frozenset[str] = frozenset({
    "code", "priority", "title", "title_ru", "description", "description_ru", "kind", "status",
    "start_date", "due_date", "progress", "responsible_body", "lead_state", "participating_states",
    "location", "external_source", "external_id",
})
_M2M_FIELDS = frozenset({"participating_states"})
#: The largest checklist position the column holds (a small integer on every database).
MAX_MILESTONE_ORDER = 32767
_LOGGED_FIELDS = ("status", "progress", "due_date")


# --- Activities -----------------------------------------------------------------------------------------

@transaction.atomic
def activity_create(*, actor: Actor, data: Mapping[str, Any], note: str = "") -> Activity:
    """Create an activity. It may start in any status; a done one is completed today."""
    _reject_unknown_fields(data)
    _check_note(note)
    body = data.get("responsible_body")
    permissions.ensure_can_create_activity(actor, getattr(body, "pk", None))

    activity = Activity()
    _assign(activity, {k: v for k, v in data.items() if k not in _M2M_FIELDS})
    if activity.status == Status.DONE:
        _complete(activity, data)
    now = timezone.now()
    activity.created_at = activity.updated_at = now
    _validate(activity)
    _save_new(activity)
    if "participating_states" in data:
        activity.participating_states.set(data["participating_states"])
    _log(activity, actor, before=None, note=note)
    events.emit(events.ACTIVITY_CREATED, activity)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: Actor,
    activity: Activity,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    note: str = "",
) -> Activity:
    """Change any of ACTIVITY_FIELDS. A changed status must be an allowed transition."""
    _reject_unknown_fields(changes)
    _check_note(note)
    locked = _lock(activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    if "responsible_body" in changes and changes["responsible_body"] is not None:
        # Moving an activity to another body needs the right to write for that body too.
        permissions.ensure_can_create_activity(actor, changes["responsible_body"].pk)
    return _apply(locked, actor, dict(changes), note=note)


@transaction.atomic
def activity_transition(
    *, actor: Actor, activity: Activity, status: str, note: str = "", expected_version: int | None = None
) -> Activity:
    """Move an activity to another status, as the workflow allows."""
    _check_note(note)
    locked = _lock(activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    workflow.check_transition(locked.status, status)
    return _apply(locked, actor, {"status": status}, note=note)


@transaction.atomic
def progress_report(
    *,
    actor: Actor,
    activity: Activity,
    progress: int | None = None,
    status: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Activity:
    """Report progress (and optionally a new status) with a note, as staff and other systems do."""
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
    if not changes and not note:
        raise InvalidInput({"progress": [_("Report a progress value, a status or a note.")]})
    activity = _apply(locked, actor, changes, note=note, force_log=True)
    events.emit(events.PROGRESS_REPORTED, activity, {"note": str(note)})
    return activity


@transaction.atomic
def activity_delete(*, actor: Actor, activity: Activity, expected_version: int | None = None) -> None:
    locked = _lock(activity, expected_version)
    permissions.ensure_can_delete_activity(actor, locked)
    summary = events.activity_summary(locked)
    locked._change_reason = _change_reason(actor, "deleted")
    locked.delete()
    events.emit(events.ACTIVITY_DELETED, None, {"activity": summary, "by": actor.name})


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
                existing = Activity.objects.filter(external_source=source, external_id=ref).first()
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
    raise AssertionError("unreachable")


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
    with transaction.atomic():
        caching.bump()  # the set-based path's bulk writes send no model signals
        try:
            with transaction.atomic():  # a savepoint: a fast path that gives up leaves nothing behind
                return bulk.upsert_by_ref(actor=actor, items=items, note=note)
        except (bulk.NeedsItemByItem, IntegrityError):
            pass
        return _bulk_upsert_item_by_item(actor=actor, items=items, note=note)


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

@transaction.atomic
def milestone_create(
    *,
    actor: Actor,
    activity: Activity,
    title: str,
    title_ru: str = "",
    due_date: dt.date | None = None,
    order: int | None = None,
    done: bool = False,
) -> Milestone:
    locked = _lock(activity, None)
    permissions.ensure_can_edit_activity(actor, locked)
    if order is None:
        last = locked.milestones.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
        if order > MAX_MILESTONE_ORDER:
            raise InvalidInput({"order": [_(
                "There is no free position after %(max)s in this checklist; give the milestone an order."
            ) % {"max": MAX_MILESTONE_ORDER}]})
    milestone = Milestone(activity=locked, title=title, title_ru=title_ru, due_date=due_date, order=order, done=done)
    if done:
        milestone.done_at = timezone.now()
    _validate(milestone)
    milestone.save()
    _after_milestone_change(locked, actor, note=_("Milestone added: %(title)s") % {"title": title})
    return milestone


@transaction.atomic
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
    for name, value in changes.items():
        setattr(current, name, value)
    if current.done and not was_done:
        current.done_at = timezone.now()
    elif not current.done:
        current.done_at = None
    _validate(current)
    current.save()
    if "done" in changes and current.done != was_done:
        verb = _("done") if current.done else _("not done")
        note = _("Milestone %(title)s marked %(verb)s") % {"title": current.title, "verb": verb}
    else:
        note = ""
    _after_milestone_change(locked, actor, note=note)
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


@transaction.atomic
def milestone_delete(*, actor: Actor, milestone: Milestone) -> None:
    locked = _lock(milestone.activity, None)
    permissions.ensure_can_edit_activity(actor, locked)
    title = milestone.title
    Milestone.objects.filter(pk=milestone.pk).delete()
    _after_milestone_change(locked, actor, note=_("Milestone removed: %(title)s") % {"title": title})


# --- Internals ------------------------------------------------------------------------------------------

class _DuplicateReference(Exception):
    """Raised inside a savepoint when a concurrent writer created the same external reference first."""


def _reject_unknown_fields(data: Mapping[str, Any]) -> None:
    unknown = set(data) - ACTIVITY_FIELDS
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in sorted(unknown)})


def _lock(activity: Activity, expected_version: int | None) -> Activity:
    """Load the activity's current row under a lock and check the version the writer expects.

    On PostgreSQL the row lock makes the check and the write one step for concurrent writers; on SQLite
    the IMMEDIATE transaction already holds the database's write lock.
    """
    try:
        locked = Activity.objects.select_for_update().select_related("priority__presidency").get(pk=activity.pk)
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
    activity: Activity, actor: Actor, changes: dict[str, Any], *, note: str, force_log: bool = False
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
    activity.updated_at = timezone.now()
    activity._change_reason = _change_reason(actor, note)
    _validate(activity, changed=_changed_fields(activity, stored))
    _save_existing(activity)
    for name, value in m2m.items():
        getattr(activity, name).set(value)

    changed = {name for name in _LOGGED_FIELDS if getattr(activity, name) != before[name]}
    if changed or force_log:
        _log(activity, actor, before=before, note=note)
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": sorted(set(diff) | set(m2m) | changed)})
    if status_changed:
        events.emit(
            events.ACTIVITY_STATUS_CHANGED, activity, {"from": before["status"], "to": activity.status, "note": note}
        )
    return activity


def _check_note(note: str) -> None:
    """A note is multi-line text: the same control-character rule as descriptions (tracker/validators.py)."""
    try:
        multi_line(str(note))
    except ValidationError as exc:
        raise InvalidInput({"note": list(exc.messages)}) from None


def _change_reason(actor: Actor, note: str) -> str:
    """The history record's reason: who, and the start of the note (the column holds 100 characters; the
    whole note is in the ProgressUpdate log)."""
    reason = f"{actor.channel}: {actor.name}" + (f" — {note}" if note else "")
    return reason if len(reason) <= 100 else reason[:99] + "…"


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
    activity.completed_date = timezone.localdate()


def _sync_progress_from_milestones(activity: Activity) -> bool:
    """Where an activity has milestones, its progress is the share of them ticked. Returns whether it changed."""
    if activity.status == Status.DONE:
        return False
    derived = workflow.progress_from_milestones(activity.milestones.values_list("done", flat=True))
    if derived is None or derived == activity.progress:
        return False
    activity.progress = derived
    return True


def _after_milestone_change(activity: Activity, actor: Actor, *, note: str) -> None:
    before = {name: getattr(activity, name) for name in _LOGGED_FIELDS}
    progress_changed = _sync_progress_from_milestones(activity)
    if progress_changed and activity.status == Status.PLANNED:
        activity.status = workflow.status_after_progress(activity.status, activity.progress)
    activity.version += 1
    activity.updated_at = timezone.now()
    activity._change_reason = _change_reason(actor, note)
    _save_existing(activity)
    if progress_changed:
        _log(activity, actor, before=before, note=note)
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
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        raise InvalidInput(
            {"external_id": [_("Another activity already has this code or external reference.")]}
        ) from None


def _log(activity: Activity, actor: Actor, *, before: Mapping[str, Any] | None, note: str) -> ProgressUpdate:
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
    )
