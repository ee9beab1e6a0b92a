"""Every write of the secretariat's rhythm: confidence assessments, the risk log and stocktakes.

Like the rest of tracker/services/, each function runs in one transaction, checks the caller's rights in
tracker/permissions.py, validates (a refusal changes nothing) and writes its outbox event. The web board,
the API and the admin call these functions and nothing else to change these records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from tracker import clock, events, logtext, permissions, services
from tracker.errors import DomainError, InvalidInput
from tracker.models import (
    Activity,
    ConfidenceAssessment,
    Milestone,
    Presidency,
    Priority,
    RaidEntry,
    Rating,
    Stocktake,
    StocktakeItem,
)
from tracker.permissions import Actor

#: Fields a caller may set on a risk log entry.
RAID_FIELDS: frozenset[str] = frozenset({
    "kind", "statement", "owner", "likelihood", "impact", "response", "due_date", "status", "escalated",
})


class StocktakeClosed(DomainError):
    """A closed stocktake is the record of what was decided: it is never changed afterwards."""

    code = "stocktake_closed"


def _validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput({
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }) from None


def _check_review_date(next_review: dt.date | None, today: dt.date) -> None:
    if next_review is not None and next_review < today:
        raise InvalidInput({"next_review": [_(
            "The next review cannot be in the past (today is %(today)s)."
        ) % {"today": today.isoformat()}]})


# --- Confidence assessments --------------------------------------------------------------------------------

@transaction.atomic
def assessment_create(
    *,
    actor: Actor,
    rating: str,
    narrative: str,
    activity: Activity | None = None,
    priority: Priority | None = None,
    actions: str = "",
    next_review: dt.date | None = None,
) -> ConfidenceAssessment:
    """Record a new assessment. Append-only: earlier ones stay as they were, and this one is current."""
    if (activity is None) == (priority is None):
        raise InvalidInput({"non_field_errors": [_("Assess either an activity or a priority.")]})
    if activity is not None:
        permissions.ensure_can_assess_activity(actor, activity)
    else:
        permissions.ensure_can_assess_priority(actor)
    today = clock.today()
    errors: dict[str, list[str]] = {}
    if rating not in Rating.values:
        errors["rating"] = [_("Choose one of the five ratings: %(choices)s.") % {"choices": ", ".join(Rating.values)}]
    if not str(narrative or "").strip():
        errors["narrative"] = [_("Say why: a rating needs a narrative.")]
    if errors:
        raise InvalidInput(errors)
    _check_review_date(next_review, today)
    assessment = ConfidenceAssessment(
        activity=activity, priority=priority, rating=rating, narrative=str(narrative).strip(),
        actions=str(actions or "").strip(), assessor=actor.user, assessor_name=actor.name, assessed_on=today,
        next_review=next_review, created_at=clock.now(),
    )
    _validate(assessment, exclude=["assessor"])
    assessment.save()
    events.emit(events.ASSESSMENT_CREATED, activity, {"assessment": assessment_summary(assessment)})
    return assessment


def assessment_summary(assessment: ConfidenceAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "activity": assessment.activity_id,
        "priority": assessment.priority_id,
        "rating": assessment.rating,
        "assessed_on": assessment.assessed_on.isoformat(),
        "next_review": assessment.next_review.isoformat() if assessment.next_review else None,
        "assessor": assessment.assessor_name,
    }


# --- The risk log ------------------------------------------------------------------------------------------

def _raid_rules(entry: RaidEntry) -> None:
    if entry.kind == RaidEntry.Kind.RISK:
        missing = {name: [_("A risk needs a likelihood and an impact, from 1 to 5.")]
                   for name in ("likelihood", "impact") if getattr(entry, name) is None}
        if missing:
            raise InvalidInput(missing)
    if not (entry.statement or "").strip():
        raise InvalidInput({"statement": [_("Say what the risk, issue or decision is.")]})


def raid_summary(entry: RaidEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "priority": entry.priority_id, "activity": entry.activity_id, "kind": entry.kind,
        "status": entry.status, "likelihood": entry.likelihood, "impact": entry.impact, "score": entry.score,
        "escalated": entry.escalated,
    }


def _reject_unknown(data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - RAID_FIELDS)
    if unknown:
        raise InvalidInput({unknown[0]: [_("This field cannot be set here.")]})


@transaction.atomic
def raid_create(
    *, actor: Actor, data: Mapping[str, Any], priority: Priority | None = None, activity: Activity | None = None,
) -> RaidEntry:
    """Add an entry to a priority's risk log, or to an activity's (filed under its priority)."""
    if priority is None and activity is None:
        raise InvalidInput({"priority": [_("Give the priority or the activity the entry belongs to.")]})
    permissions.ensure_can_edit_raid(actor, activity=activity)
    if activity is not None:
        if priority is not None and priority.pk != activity.priority_id:
            raise InvalidInput({"priority": [_("The activity belongs to another priority.")]})
        priority = activity.priority
    _reject_unknown(data)
    now = clock.now()
    entry = RaidEntry(priority=priority, activity=activity, created_at=now, updated_at=now, **dict(data))
    entry.statement = str(entry.statement or "").strip()
    _validate(entry)
    _raid_rules(entry)
    entry._change_reason = actor.name
    entry.save()
    events.emit(events.RISK_CREATED, activity, {"risk": raid_summary(entry)})
    return entry


@transaction.atomic
def raid_update(*, actor: Actor, entry: RaidEntry, changes: Mapping[str, Any]) -> RaidEntry:
    """Change an entry; its history keeps every earlier version."""
    locked = RaidEntry.objects.select_for_update(of=("self",)).select_related("activity").get(pk=entry.pk)
    permissions.ensure_can_edit_raid(actor, activity=locked.activity)
    _reject_unknown(changes)
    changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    locked.updated_at = clock.now()
    _validate(locked)
    _raid_rules(locked)
    locked._change_reason = actor.name
    locked.save()
    events.emit(events.RISK_CHANGED, locked.activity, {"risk": raid_summary(locked), "changed": changed})
    return locked


# --- Stocktakes ----------------------------------------------------------------------------------------------

def _ensure_open(stocktake: Stocktake) -> None:
    if stocktake.is_closed:
        raise StocktakeClosed(_(
            "This stocktake was closed on %(date)s by %(who)s: it is the record of what was decided and can no "
            "longer be changed. Open a new stocktake instead."
        ) % {"date": stocktake.closed_at.date().isoformat() if stocktake.closed_at else "", "who": stocktake.closed_by})


def _locked_stocktake(stocktake: Stocktake) -> Stocktake:
    return Stocktake.objects.select_for_update().get(pk=stocktake.pk)


@transaction.atomic
def stocktake_open(
    *, actor: Actor, presidency: Presidency, priority: Priority | None = None, held_on: dt.date | None = None,
    title: str = "", attendees: str = "",
) -> Stocktake:
    """Open a stocktake for the presidency or one of its priorities; by default this month's."""
    permissions.ensure_can_run_stocktakes(actor)
    if priority is not None and priority.presidency_id != presidency.pk:
        raise InvalidInput({"priority": [_("The priority belongs to another presidency.")]})
    held_on = held_on or clock.today()
    if not title:
        scope = priority.display_title if priority else _("the presidency")
        title = _("Monthly stocktake of %(scope)s, %(month)s") % {"scope": scope, "month": held_on.strftime("%Y-%m")}
    stocktake = Stocktake(presidency=presidency, priority=priority, held_on=held_on, title=str(title)[:200],
                          attendees=str(attendees), opened_by=actor.name, created_at=clock.now())
    _validate(stocktake)
    stocktake.save()
    return stocktake


@transaction.atomic
def stocktake_update(*, actor: Actor, stocktake: Stocktake, attendees: str | None = None,
                     title: str | None = None) -> Stocktake:
    permissions.ensure_can_run_stocktakes(actor)
    locked = _locked_stocktake(stocktake)
    _ensure_open(locked)
    if attendees is not None:
        locked.attendees = str(attendees)
    if title is not None:
        locked.title = str(title)
    _validate(locked)
    locked.save()
    return locked


@transaction.atomic
def stocktake_add_item(
    *, actor: Actor, stocktake: Stocktake, kind: str, text: str, owner: str = "", due_date: dt.date | None = None,
    activity: Activity | None = None,
) -> StocktakeItem:
    """Record a decision taken or an action agreed."""
    permissions.ensure_can_run_stocktakes(actor)
    locked = _locked_stocktake(stocktake)
    _ensure_open(locked)
    if not str(text or "").strip():
        raise InvalidInput({"text": [_("Write the decision or the action.")]})
    if activity is not None and activity.priority.presidency_id != locked.presidency_id:
        raise InvalidInput({"activity": [_("The activity belongs to another presidency.")]})
    item = StocktakeItem(stocktake=locked, kind=kind, text=str(text).strip(), owner=str(owner or ""),
                         due_date=due_date, activity=activity, created_at=clock.now())
    _validate(item)
    item.save()
    return item


@transaction.atomic
def stocktake_item_to_milestone(*, actor: Actor, item: StocktakeItem) -> Milestone:
    """An agreed action becomes a milestone of the activity it concerns, through the agenda's services."""
    permissions.ensure_can_run_stocktakes(actor)
    locked = (StocktakeItem.objects.select_for_update(of=("self",)).select_related("stocktake", "activity")
              .get(pk=item.pk))
    _ensure_open(locked.stocktake)
    if locked.kind != StocktakeItem.Kind.ACTION or locked.activity is None:
        raise InvalidInput({"activity": [_("Only an action about an activity can become its milestone.")]})
    if locked.milestone_id:
        raise InvalidInput({"milestone": [_("This action is already a milestone.")]})
    milestone = services.milestone_create(actor=actor, activity=locked.activity, title=locked.text[:300],
                                          due_date=locked.due_date)
    locked.milestone = milestone
    locked.save(update_fields=["milestone"])
    return milestone


#: What a coordinator may choose when an action becomes an activity (the rest starts as any new activity).
ACTION_ACTIVITY_FIELDS: frozenset[str] = frozenset({
    "priority", "responsible_body", "kind", "title", "start_date", "due_date",
})


@transaction.atomic
def stocktake_item_to_activity(
    *, actor: Actor, item: StocktakeItem, data: Mapping[str, Any] | None = None
) -> Activity:
    """An agreed action becomes a new activity, created through the agenda's services and linked back to the
    action. By default it is filed like the activity the action concerns (same priority and body) with the
    action's text and due date; `data` (ACTION_ACTIVITY_FIELDS) chooses otherwise, and must name the priority
    and body of an action that concerns no activity (a stocktake of one priority gives its priority)."""
    permissions.ensure_can_run_stocktakes(actor)
    data = dict(data or {})
    unknown = set(data) - ACTION_ACTIVITY_FIELDS
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in sorted(unknown)})
    locked = (StocktakeItem.objects.select_for_update(of=("self",))
              .select_related("stocktake__priority", "activity__priority", "activity__responsible_body")
              .get(pk=item.pk))
    _ensure_open(locked.stocktake)
    if locked.kind != StocktakeItem.Kind.ACTION:
        raise InvalidInput({"kind": [_("Only an action can become a new activity.")]})
    if locked.created_activity_id:
        raise InvalidInput({"created_activity": [_("This action is already an activity.")]})
    source = locked.activity
    fields: dict[str, Any] = {
        "title": locked.text[:300], "due_date": locked.due_date, "kind": Activity.Kind.OTHER,
        "priority": source.priority if source else locked.stocktake.priority,
        "responsible_body": source.responsible_body if source else None,
    }
    fields.update({name: value for name, value in data.items() if value not in (None, "")})
    errors: dict[str, list[str]] = {}
    if fields["priority"] is None:
        errors["priority"] = [_("Choose the priority the new activity serves.")]
    elif fields["priority"].presidency_id != locked.stocktake.presidency_id:
        errors["priority"] = [_("Choose a priority of this stocktake's presidency.")]
    if fields["responsible_body"] is None:
        errors["responsible_body"] = [_("Choose the body responsible for the new activity.")]
    if fields["due_date"] is None:
        errors["due_date"] = [_("Give the action a due date first: a new activity needs one.")]
    if errors:
        raise InvalidInput(errors)
    fields = {name: value for name, value in fields.items() if value is not None}
    created = services.activity_create(actor=actor, data=fields, event=logtext.FROM_STOCKTAKE,
                                       event_params={"title": locked.stocktake.title})
    locked.created_activity = created
    locked.save(update_fields=["created_activity"])
    return created


@transaction.atomic
def stocktake_close(*, actor: Actor, stocktake: Stocktake) -> Stocktake:
    """Close and freeze: the screen as it stands now is kept, and nothing about the stocktake changes again."""
    from tracker.selectors import delivery as selectors_delivery

    permissions.ensure_can_run_stocktakes(actor)
    locked = _locked_stocktake(stocktake)
    _ensure_open(locked)
    locked.snapshot = selectors_delivery.stocktake_snapshot(locked, clock.today())
    locked.status = Stocktake.Status.CLOSED
    locked.closed_by = actor.name
    locked.closed_at = clock.now()
    locked.save()
    events.emit(events.STOCKTAKE_CLOSED, None, {"stocktake": {
        "id": locked.pk, "presidency": locked.presidency_id, "priority": locked.priority_id,
        "held_on": locked.held_on.isoformat(),
    }})
    return locked
