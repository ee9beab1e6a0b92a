"""Milestone writes. A milestone belongs to its activity: each write locks the activity's row, and where
milestones exist the activity's progress is the share of them ticked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from tracker import clock, dbretry, events, logtext, permissions, workflow
from tracker.errors import InvalidInput
from tracker.models import Activity, DateBasis, Milestone
from tracker.permissions import Actor
from tracker.services import planner, store
from tracker.workflow import Status

#: The largest checklist position the column holds (a small integer on every database).
MAX_MILESTONE_ORDER = 32767
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
    locked = store.lock(activity, None)
    permissions.ensure_can_edit_activity(actor, locked)
    planner.reject_unconfirmed_decision({"date_basis": date_basis})
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
    store.validate(milestone)
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
    locked = store.lock(milestone.activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    was_done = current.done
    old_due = current.due_date
    for name, value in changes.items():
        setattr(current, name, value)
    if "due_date" in changes and current.due_date != old_due:
        planner.record_decision(current, actor)
    if current.done and not was_done:
        current.done_at = clock.now()
    elif not current.done:
        current.done_at = None
    store.validate(current)
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
    locked = store.lock(milestone.activity, None)
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




@dbretry.atomic
def milestone_confirm_date(
    *, actor: Actor, milestone: Milestone, expected_version: int | None = None
) -> Milestone:
    """Staff confirm a milestone and its date: an assumption becomes a decision, with who and when."""
    locked = store.lock(milestone.activity, expected_version)
    permissions.ensure_can_confirm_dates(actor, locked)
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if current.date_basis == DateBasis.DECISION:
        return current
    planner.record_decision(current, actor, force=True)
    current.save()
    params = _milestone_params(current)
    before = {name: getattr(locked, name) for name in planner.LOGGED_FIELDS}
    _after_milestone_change(locked, actor, event=logtext.MILESTONE_CONFIRMED, params=params)
    store.log_change(locked, actor, before=before, note="", event=logtext.MILESTONE_CONFIRMED, params=params)
    return current


def _after_milestone_change(
    activity: Activity, actor: Actor, *, event: str, params: Mapping[str, Any] | None = None
) -> None:
    before = {name: getattr(activity, name) for name in planner.LOGGED_FIELDS}
    progress_changed = store.sync_progress_from_milestones(activity)
    if progress_changed and activity.status == Status.PLANNED:
        activity.status = workflow.status_after_progress(activity.status, activity.progress)
    activity.version += 1
    activity.updated_at = clock.now()
    activity._change_reason = planner.change_reason(actor, "", event=event, params=params)
    store.save_existing(activity)
    if progress_changed:
        store.log_change(activity, actor, before=before, note="", event=event, params=params)
    changed = ["milestones", "progress"] if progress_changed else ["milestones"]
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": changed})
