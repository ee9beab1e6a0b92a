"""Every write to sources and commitments. Each function runs in one transaction: it checks permissions
(tracker/permissions.py), validates, writes, and records the outbox event and the audit entry.

The web board, the admin and the seed call these functions and nothing else. Names follow <thing>_<verb>;
arguments are keyword-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import audit, clock, events, permissions
from tracker.errors import InvalidInput
from tracker.models import Activity, Commitment, Outcome, Source
from tracker.permissions import Actor

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
    source = source or Source()
    for name, value in data.items():
        setattr(source, name, value)
    _validate(source)
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
    commitment = commitment or Commitment()
    for name, value in data.items():
        setattr(commitment, name, value)
    _validate(commitment)
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


def _validate(instance: Source | Commitment) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput({
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }) from None
