"""The item-by-item writer's database steps, shared by the activity and milestone services: lock the
activity's row, validate, save, and write the progress-log row the planner built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from tracker import workflow
from tracker.errors import InvalidInput, StaleVersion
from tracker.models import Activity, Milestone, ProgressUpdate
from tracker.permissions import Actor
from tracker.services import planner
from tracker.workflow import Status


class DuplicateReference(Exception):
    """Raised inside a savepoint when a concurrent writer created the same external reference first."""


def lock(activity: Activity, expected_version: int | None) -> Activity:
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


def validate(instance: Activity | Milestone, changed: set[str] | None = None) -> None:
    """The model's validation. With `changed`, field checks and unique checks cover only those fields (the
    stored ones passed when they were written; checking them again costs a query per key and unique
    field), while the model's own clean() still judges the whole activity, dates included."""
    exclude = {"participating_states", "watchers"}
    if changed is not None:
        exclude |= {f.name for f in instance._meta.concrete_fields} - changed
    try:
        instance.full_clean(exclude=sorted(exclude))
    except ValidationError as exc:
        raise InvalidInput(validation_errors(exc)) from None


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    """full_clean's errors as a door's field errors."""
    return {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
        for name, messages in exc.message_dict.items()
    }


def save_new(activity: Activity) -> None:
    activity._history_date = activity.updated_at  # the history's time is the write's (clock.now())
    try:
        with transaction.atomic():
            activity.save(force_insert=True)
    except IntegrityError:
        # full_clean checked the unique fields; a concurrent writer got there between the check and the insert.
        if activity.external_id and Activity.objects.filter(
            external_source=activity.external_source, external_id=activity.external_id
        ).exists():
            raise DuplicateReference() from None
        raise InvalidInput({"code": [_("An activity with this code or reference already exists.")]}) from None


def save_existing(activity: Activity) -> None:
    activity._history_date = activity.updated_at
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        raise InvalidInput(
            {"external_id": [_("Another activity already has this code or external reference.")]}
        ) from None


def log(row: ProgressUpdate) -> ProgressUpdate:
    """Save a progress-log row built by planner.log_row (or Change.log_row)."""
    row.save(force_insert=True)
    return row


def follow_presidency(activity_ids: list[int]) -> None:
    """After activities moved to another priority: their log rows take the presidency they are now in (the
    dashboard lists a presidency's latest updates by that column). One UPDATE; not run when no priority
    changed."""
    if activity_ids:
        ProgressUpdate.objects.filter(activity_id__in=activity_ids).update(presidency_id=Subquery(
            Activity.objects.filter(pk=OuterRef("activity_id")).values("priority__presidency_id")[:1]))


def log_change(
    activity: Activity, actor: Actor, *, before: Mapping[str, Any] | None, note: str, event: str = "",
    params: Mapping[str, Any] | None = None,
) -> ProgressUpdate:
    return log(planner.log_row(activity, actor, before=before, note=note, event=event, params=params))


def sync_progress_from_milestones(activity: Activity) -> bool:
    """Where an activity has milestones, its progress is the share of them ticked. Returns whether it changed."""
    if activity.status == Status.DONE:
        return False
    derived = workflow.progress_from_milestones(activity.milestones.values_list("done", flat=True))
    if derived is None or derived == activity.progress:
        return False
    activity.progress = derived
    return True
