"""Every write to sources and commitments. Each function runs in one transaction: it checks permissions
(tracker/permissions.py), validates, writes, and records the outbox event and the audit entry.

The web board, the admin and the seed call these functions and nothing else. Names follow <thing>_<verb>;
arguments are keyword-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import audit, clock, events, permissions, services, workflow
from tracker.errors import InvalidInput
from tracker.models import (
    Activity,
    Commitment,
    DateBasis,
    MemberState,
    Outcome,
    Participation,
    Presidency,
    Source,
)
from tracker.permissions import Actor
from tracker.services import lead, planner, store
from tracker.validators import multi_line
from tracker.workflow import Status

Filled = TypeVar("Filled", Source, Commitment, Participation)

SOURCE_FIELDS: frozenset[str] = frozenset({
    "code", "presidency", "title", "title_ru", "published_on", "publisher", "publisher_ru", "url",
})
COMMITMENT_FIELDS: frozenset[str] = frozenset({
    "source", "number", "priority", "statement", "statement_ru", "quote", "quote_ru", "passage",
    "success_criterion", "success_criterion_ru",
})


@transaction.atomic
def source_save(*, actor: Actor, data: Mapping[str, Any], source: Source | None = None) -> Source:
    """Create a source, or change `source`."""
    permissions.ensure_can_manage_commitments(actor)
    _reject_unknown(data, SOURCE_FIELDS)
    source = _filled(source or Source(), data)
    source.save()
    return source


@transaction.atomic
def commitment_save(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    commitment: Commitment | None = None,
    activities: Iterable[Activity] | None = None,
) -> Commitment:
    """Create a commitment, or change `commitment`; `activities`, when given, replaces its linked activities."""
    permissions.ensure_can_manage_commitments(actor)
    _reject_unknown(data, COMMITMENT_FIELDS)
    commitment = _filled(commitment or Commitment(), data)
    if commitment.priority.presidency_id != commitment.source.presidency_id:
        raise InvalidInput({"priority": [_("The priority belongs to another presidency than the source.")]})
    commitment.save()
    if activities is not None:
        commitment_link_activities(actor=actor, commitment=commitment, activities=activities)
    return commitment


@transaction.atomic
def commitment_link_activities(*, actor: Actor, commitment: Commitment, activities: Iterable[Activity]) -> None:
    """Set the activities that serve `commitment`: only activities of the commitment's own presidency."""
    permissions.ensure_can_manage_commitments(actor)
    activities = list(activities)
    presidency_id = commitment.priority.presidency_id
    stray = [a for a in activities if a.priority.presidency_id != presidency_id]
    if stray:
        raise InvalidInput({"activities": [
            _("%(title)s belongs to another presidency.") % {"title": stray[0].display_title}
        ]})
    commitment.activities.set(activities)


@transaction.atomic
def commitment_record_outcome(
    *, actor: Actor, commitment: Commitment, outcome: str, evidence: str
) -> Commitment:
    """A coordinator signs off how a commitment ended: kept, partly kept, not kept or withdrawn, with the
    evidence that shows it. Signing again replaces the outcome and the signature."""
    permissions.ensure_can_sign_off_outcome(actor)
    evidence = (evidence or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome: %(choices)s.") % {
            "choices": ", ".join(str(label) for label in Outcome.labels)}]
    if not evidence:
        errors["evidence"] = [_("An outcome needs evidence: say what shows it.")]
    else:
        try:
            multi_line(evidence)  # the control-character rule of every text field (tracker/validators.py)
        except ValidationError as exc:
            errors["evidence"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    locked.outcome = outcome
    locked.outcome_evidence = evidence
    locked.outcome_signed_by = actor.user
    locked.outcome_signed_at = clock.now()
    locked.save(update_fields=["outcome", "outcome_evidence", "outcome_signed_by", "outcome_signed_at"])
    events.emit(events.COMMITMENT_OUTCOME_RECORDED, None, {"commitment": {
        "id": locked.pk, "source": locked.source.code, "number": locked.number, "outcome": locked.outcome,
        "signed_by": actor.name, "signed_at": locked.outcome_signed_at.isoformat(),
    }})
    audit.record(
        audit.Action.OUTCOME_SIGNED, via=actor.channel, user=actor.user, obj=locked,
        detail={"outcome": locked.outcome},
    )
    return locked


def _reject_unknown(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in sorted(unknown)})


def _filled(instance: Filled, data: Mapping[str, Any]) -> Filled:
    """`instance` with the (already allowed) values of `data` set, and validated as a whole."""
    for name, value in data.items():
        setattr(instance, name, value)
    _validate(instance)
    return instance


def _validate(instance: Source | Commitment | Participation) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput({
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }) from None


# --- Member-state participation ---------------------------------------------------------------------------

PARTICIPATION_FIELDS: frozenset[str] = frozenset({"role", "level", "confirmed", "note"})


@transaction.atomic
def participation_save(
    *, actor: Actor, activity: Activity, memberstate: MemberState, data: Mapping[str, Any],
    expected_version: int | None = None, create_only: bool = False,
) -> Participation:
    """Record (or change) a state's part in an activity: role, level of representation, confirmed, note.
    It is a change of the activity: its version goes up and subscribers hear `activity.updated`. The role
    "lead" makes the state the activity's lead state (services/lead.py: one lead per activity). With
    `create_only`, a state that already takes part is refused (the API's POST creates, PATCH changes)."""
    _reject_unknown(data, PARTICIPATION_FIELDS)
    locked = store.lock(activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    refusal = planner.participation_refusal([memberstate])
    if refusal:
        raise InvalidInput({"memberstate": refusal["participating_states"]})
    participation = Participation.objects.filter(activity=locked, memberstate=memberstate).first()
    if participation is not None and create_only:
        raise InvalidInput({"memberstate": [
            _("%(state)s already takes part in this activity: change its record instead.")
            % {"state": memberstate.display_name}
        ]})
    participation = _filled(participation or Participation(activity=locked, memberstate=memberstate), data)
    participation.save()
    _activity_changed(actor, locked, lead.lead_after(locked, participation))
    return participation


@transaction.atomic
def participation_delete(
    *, actor: Actor, participation: Participation, expected_version: int | None = None
) -> None:
    """Remove a state from an activity; removing the lead leaves the activity without a lead state."""
    locked = store.lock(participation.activity, expected_version)
    permissions.ensure_can_edit_activity(actor, locked)
    Participation.objects.filter(pk=participation.pk).delete()
    _activity_changed(actor, locked, lead.lead_after(locked, participation, deleted=True))


def _activity_changed(actor: Actor, activity: Activity, lead_state_id: int | None) -> None:
    changed = ["participating_states"]
    fields = ["version", "updated_at"]
    if lead_state_id != activity.lead_state_id:
        activity.lead_state_id = lead_state_id
        changed.append("lead_state")
        fields.append("lead_state")
    activity._change_reason = planner.change_reason(actor, "")
    activity.version += 1
    activity.updated_at = clock.now()
    activity.save(update_fields=fields)
    if "lead_state" in changed:
        lead.align([activity])  # the former lead's record becomes a participant's
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": sorted(changed), "by": actor.name})


# --- Handover to the next presidency ----------------------------------------------------------------------

#: What a carried-over copy keeps; its dates, status and progress start afresh in the new presidency.
_CARRIED_FIELDS = ("title", "title_ru", "description", "description_ru", "kind", "responsible_body", "lead_state",
                   "location", "source_quote")


@transaction.atomic
def activity_carry_over(*, actor: Actor, activity: Activity, note: str = "") -> Activity:
    """Copy an open activity into the successor presidency's agenda (through the services, with a link back)
    and close the original as handed over. Returns the copy."""
    permissions.ensure_can_hand_over(actor)
    locked = store.lock(activity, None)
    workflow.check_handover(locked.status)
    if Activity.objects.filter(carried_over_from=locked).exists():
        raise InvalidInput({"activity": [_("This activity has already been carried over.")]})
    presidency = locked.priority.presidency
    successor = Presidency.objects.filter(predecessor=presidency).first()
    if successor is None:
        raise InvalidInput({"activity": [
            _("%(presidency)s has no successor yet: record the next presidency first.") % {"presidency": presidency}
        ]})
    priority = successor.priorities.filter(number=locked.priority.number).first()
    if priority is None:
        raise InvalidInput({"priority": [
            _("The next presidency has no priority %(number)s to carry this activity into.")
            % {"number": locked.priority.number}
        ]})
    data: dict[str, Any] = {name: getattr(locked, name) for name in _CARRIED_FIELDS}
    data.update({
        "priority": priority,
        "code": f"{locked.code}-{successor.period_start.year}"[:60] if locked.code else None,
        "status": Status.PLANNED,
        "due_date": successor.period_end,
        "date_basis": DateBasis.ASSUMPTION,
        "date_basis_note": "Carried over from the previous presidency; the new presidency sets the date.",
        "date_basis_note_ru": "Передано предыдущим председательством; срок устанавливает новое председательство.",
        "participating_states": list(locked.participating_states.all()),
    })
    copy = services.activity_create(actor=actor, data=data, note=note)
    Activity.objects.filter(pk=copy.pk).update(carried_over_from=locked)
    copy.carried_over_from = locked
    _close_as_handed_over(actor, locked, note)
    return copy


def _close_as_handed_over(actor: Actor, activity: Activity, note: str) -> None:
    before = {name: getattr(activity, name) for name in ("status", "progress", "due_date")}
    activity.status = Status.HANDED_OVER
    activity.version += 1
    activity.updated_at = clock.now()
    activity._change_reason = planner.change_reason(actor, note)
    store.save_existing(activity)
    store.log_change(activity, actor, before=before, note=str(note))
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["status"]})
    events.emit(events.ACTIVITY_STATUS_CHANGED, activity,
                {"from": before["status"], "to": activity.status, "note": str(note)})
