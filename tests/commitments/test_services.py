"""Writes to commitments: who may sign off an outcome, what it needs, what it leaves behind."""

import datetime as dt

import pytest

from tests import factories
from tracker import permissions
from tracker.errors import InvalidInput, NotPermitted
from tracker.models import AuditEntry, Channel, Commitment, OutboxEvent
from tracker.permissions import Actor
from tracker.selectors import commitments as selectors_commitments
from tracker.services import commitments as services_commitments

pytestmark = pytest.mark.django_db


@pytest.fixture
def commitment(activity):
    commitment = factories.CommitmentFactory(priority=activity.priority)
    commitment.activities.add(activity)
    return commitment


def test_a_coordinator_signs_off_an_outcome_with_evidence(commitment, coordinator, coordinator_actor):
    services_commitments.commitment_record_outcome(
        actor=coordinator_actor, commitment=commitment, outcome="kept", evidence="  Exercise held in Brest.  "
    )
    commitment.refresh_from_db()
    assert (commitment.outcome, commitment.outcome_evidence) == ("kept", "Exercise held in Brest.")
    assert commitment.outcome_signed_by == coordinator and commitment.outcome_signed_at is not None
    event = OutboxEvent.objects.get(event_type="commitment.outcome_recorded")
    assert event.payload["commitment"]["outcome"] == "kept"
    assert AuditEntry.objects.filter(action="commitment.outcome_signed", user=coordinator).exists()


@pytest.mark.parametrize("evidence", ["", "   "])
def test_an_outcome_without_evidence_is_refused_and_changes_nothing(commitment, coordinator_actor, evidence):
    with pytest.raises(InvalidInput) as refused:
        services_commitments.commitment_record_outcome(
            actor=coordinator_actor, commitment=commitment, outcome="kept", evidence=evidence
        )
    assert refused.value.field == "evidence"
    commitment.refresh_from_db()
    assert commitment.outcome == "" and not OutboxEvent.objects.exists()


def test_an_unknown_outcome_is_refused_naming_the_field(commitment, coordinator_actor):
    with pytest.raises(InvalidInput) as refused:
        services_commitments.commitment_record_outcome(
            actor=coordinator_actor, commitment=commitment, outcome="done", evidence="x"
        )
    assert refused.value.field == "outcome"
    assert "Kept" in refused.value.message


def test_only_coordinators_sign_off(commitment, editor_actor, viewer):
    key = factories.make_api_client("k")[0]
    for actor in (editor_actor, Actor.for_user(viewer, Channel.WEB), Actor.for_client(key)):
        with pytest.raises(NotPermitted):
            services_commitments.commitment_record_outcome(
                actor=actor, commitment=commitment, outcome="kept", evidence="Held"
            )
    commitment.refresh_from_db()
    assert commitment.outcome == ""
    assert not permissions.can_sign_off_outcome(Actor.system())  # a signature needs a person


def test_activities_of_another_presidency_cannot_serve_a_commitment(commitment, coordinator_actor, body):
    other = factories.PresidencyFactory(code="csto-2024", period_start="2024-01-01", period_end="2024-12-31")
    stray = factories.ActivityFactory(priority=factories.PriorityFactory(presidency=other), responsible_body=body)
    with pytest.raises(InvalidInput) as refused:
        services_commitments.commitment_link_activities(
            actor=coordinator_actor, commitment=commitment, activities=[stray]
        )
    assert refused.value.field == "activities"
    assert list(commitment.activities.all()) != [stray]


def test_editors_may_not_change_commitments(commitment, editor_actor):
    with pytest.raises(NotPermitted):
        services_commitments.commitment_save(actor=editor_actor, commitment=commitment, data={"statement": "x"})
    assert Commitment.objects.get(pk=commitment.pk).statement != "x"


def test_the_state_follows_the_activities_until_an_outcome_is_signed(commitment, activity, coordinator_actor):
    day = activity.due_date
    fresh = selectors_commitments.commitment_detail(commitment.pk)
    assert selectors_commitments.commitment_state(fresh, day) == "on_track"
    after_deadline = selectors_commitments.commitment_detail(commitment.pk)
    assert selectors_commitments.commitment_state(after_deadline, day + dt.timedelta(days=1)) == "at_risk"
    services_commitments.commitment_record_outcome(
        actor=coordinator_actor, commitment=commitment, outcome="partly_kept", evidence="Half held"
    )
    signed = selectors_commitments.commitment_detail(commitment.pk)
    assert selectors_commitments.commitment_state(signed, day) == "partly_kept"
    commitment.activities.clear()
    bare = factories.CommitmentFactory(priority=commitment.priority, source=commitment.source)
    bare = selectors_commitments.commitment_detail(bare.pk)
    assert selectors_commitments.commitment_state(bare, day) == "no_activity"
