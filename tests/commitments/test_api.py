"""The API's commitments and participations, and the participations webhooks carry."""

import json

import pytest

from tests import factories
from tests.api.conftest import client_for_user
from tracker import events, webhook_http
from tracker.models import OutboxEvent, Participation
from tracker.services import commitments as services_commitments

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(activity, coordinator_actor):
    commitment = factories.CommitmentFactory(priority=activity.priority, statement="Joint exercises")
    commitment.activities.add(activity)
    services_commitments.commitment_record_outcome(
        actor=coordinator_actor, commitment=commitment, outcome="kept", evidence="Held in Brest"
    )
    by = factories.MemberStateFactory(code="BY", name="Belarus")
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    Participation.objects.create(activity=activity, memberstate=by, role="host", level="minister", confirmed=True)
    Participation.objects.create(activity=activity, memberstate=kz, role="declined")
    return {"commitment": commitment, "by": by, "kz": kz}


def test_commitments_list_their_outcome_and_activities(viewer, data, activity):
    body = client_for_user(viewer).get("/api/v1/commitments/?outcome=kept").json()
    (row,) = body["results"]
    assert (row["statement"], row["outcome"], row["outcome_evidence"]) == ("Joint exercises", "kept", "Held in Brest")
    assert row["activities"] == [activity.pk] and row["outcome_signed_by"] == "coordinator"
    assert client_for_user(viewer).get("/api/v1/commitments/?outcome=not_kept").json()["results"] == []


def test_a_bad_filter_is_a_problem_naming_the_field(viewer, data):
    response = client_for_user(viewer).get("/api/v1/commitments/?outcome=maybe")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "outcome" in response.json()["errors"]


def test_participations_filter_by_role_and_keep_the_bare_list(viewer, data, activity):
    client = client_for_user(viewer)
    rows = client.get("/api/v1/participations/?role=declined").json()["results"]
    assert [(r["state_code"], r["role"]) for r in rows] == [("KZ", "declined")]
    states = client.get(f"/api/v1/activities/{activity.pk}/").json()["participating_states"]
    assert sorted(states) == sorted([data["by"].pk, data["kz"].pk])


def test_webhooks_carry_each_states_part(data, activity):
    event = events.emit(events.ACTIVITY_UPDATED, activity)
    document = json.loads(webhook_http.event_body(OutboxEvent.objects.get(pk=event.pk)))
    assert document["activity"]["participations"] == [
        {"state": "BY", "role": "host", "level": "minister", "confirmed": True, "note": ""},
        {"state": "KZ", "role": "declined", "level": "", "confirmed": False, "note": ""},
    ]
