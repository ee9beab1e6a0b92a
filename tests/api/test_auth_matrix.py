"""Who may call what: every endpoint against every kind of caller.

Callers: anonymous; staff by session (viewer, editor of the activity's body, editor of another body,
coordinator); API keys (read, write, write limited to another body, revoked, expired).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tracker.models import WebhookSubscription

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "viewer", "editor", "outsider", "coordinator", "read_key", "write_key", "other_body_key",
           "revoked_key", "expired_key"]

READ = dict.fromkeys(CALLERS, 200) | {"anonymous": 401, "revoked_key": 401, "expired_key": 401}
WRITE = {"anonymous": 401, "viewer": 403, "editor": 200, "outsider": 403, "coordinator": 200, "read_key": 403,
         "write_key": 200, "other_body_key": 403, "revoked_key": 401, "expired_key": 401}
CREATE = {caller: 201 if code == 200 else code for caller, code in WRITE.items()}
DELETE = {caller: 401 if code == 401 else 403 for caller, code in WRITE.items()} | {"coordinator": 204}
MANAGE = {caller: 401 if code == 401 else 403 for caller, code in READ.items()} | {"coordinator": 200}


def _new(priorities, body):
    return {"priority": priorities[0].pk, "title": "Consultations", "due_date": "2023-06-30",
            "responsible_body": body.pk}


def _milestone(activity):
    return factories.MilestoneFactory(activity=activity, title="Agree the plan")


ENDPOINTS = {
    # name: (expected by caller, method, function building (url, body) from the fixtures)
    "list activities": (READ, "get", lambda f: ("/api/v1/activities/", None)),
    "read activity": (READ, "get", lambda f: (f"/api/v1/activities/{f['activity'].pk}/", None)),
    "activity log": (READ, "get", lambda f: (f"/api/v1/activities/{f['activity'].pk}/updates/", None)),
    "activity history": (READ, "get", lambda f: (f"/api/v1/activities/{f['activity'].pk}/history/", None)),
    "milestones": (READ, "get", lambda f: (f"/api/v1/activities/{f['activity'].pk}/milestones/", None)),
    "presidencies": (READ, "get", lambda f: ("/api/v1/presidencies/", None)),
    "presidency": (READ, "get", lambda f: (f"/api/v1/presidencies/{f['priorities'][0].presidency_id}/", None)),
    "priorities": (READ, "get", lambda f: ("/api/v1/priorities/", None)),
    "member states": (READ, "get", lambda f: ("/api/v1/member-states/", None)),
    "bodies": (READ, "get", lambda f: ("/api/v1/bodies/", None)),
    "create activity": (CREATE, "post", lambda f: ("/api/v1/activities/", _new(f["priorities"], f["body"]))),
    "replace activity": (WRITE, "put", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/", {**_new(f["priorities"], f["body"]), "title": "Renamed"})),
    "change activity": (WRITE, "patch", lambda f: (f"/api/v1/activities/{f['activity'].pk}/", {"progress": 30})),
    "transition": (WRITE, "post", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/transition/", {"status": "in_progress"})),
    "report progress": (CREATE, "post", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/updates/", {"progress": 40, "note": "On track"})),
    "add milestone": (CREATE, "post", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/milestones/", {"title": "Invite the delegations"})),
    "change milestone": (WRITE, "patch", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/milestones/{_milestone(f['activity']).pk}/", {"title": "Agreed"})),
    "toggle milestone": (WRITE, "post", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/milestones/{_milestone(f['activity']).pk}/toggle/", {})),
    "upsert by reference": (CREATE, "put", lambda f: (
        "/api/v1/activities/by-ref/mod-by/EX-1/", _new(f["priorities"], f["body"]))),
    "bulk upsert": (WRITE, "post", lambda f: ("/api/v1/activities/bulk/", {"items": [
        {**_new(f["priorities"], f["body"]), "external_source": "mod-by", "external_id": "EX-2"}]})),
    "delete activity": (DELETE, "delete", lambda f: (f"/api/v1/activities/{f['activity'].pk}/", None)),
    # An activity's discussion: read keys read; anyone who may write something posts (shown as the system).
    "comments": (READ, "get", lambda f: (f"/api/v1/activities/{f['activity'].pk}/comments/", None)),
    "post comment": (CREATE | {"outsider": 201, "other_body_key": 201}, "post", lambda f: (
        f"/api/v1/activities/{f['activity'].pk}/comments/", {"body": "Synced from the portal"})),
    "list webhooks": (MANAGE, "get", lambda f: ("/api/v1/webhooks/", None)),
    "read webhook": (MANAGE, "get", lambda f: (f"/api/v1/webhooks/{f['webhook'].pk}/", None)),
    "create webhook": ({c: 201 if v == 200 else v for c, v in MANAGE.items()}, "post", lambda f: (
        "/api/v1/webhooks/", {"name": "Secretariat", "url": "https://hooks.example.org/tracker"})),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_caller_gets_the_answer_its_role_or_scope_allows(endpoint, caller, callers, activity, priorities, body):
    expected_by_caller, method, build = ENDPOINTS[endpoint]
    webhook = WebhookSubscription.objects.create(name="Existing", url="https://hooks.example.org/a")
    url, payload = build({"activity": activity, "priorities": priorities, "body": body, "webhook": webhook})
    response = getattr(callers[caller], method)(url, payload, format="json")
    expected = expected_by_caller[caller]
    assert response.status_code == expected, (endpoint, caller, response.content[:300])
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected


def test_missing_credentials_are_answered_with_a_bearer_challenge(api, activity):
    response = api.get("/api/v1/activities/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_told_apart_from_an_expired_one(callers):
    revoked = callers["revoked_key"].get("/api/v1/activities/").json()
    expired = callers["expired_key"].get("/api/v1/activities/").json()
    assert "revoked" in revoked["detail"]
    assert "expired" in expired["detail"]


def test_an_unknown_key_is_refused(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer pat_not-a-real-key")
    response = api.get("/api/v1/activities/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_malformed_authorization_header_is_refused(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer two words")
    assert api.get("/api/v1/activities/").status_code == 401


def test_a_key_that_expires_in_the_future_works(db):
    from django.utils import timezone

    from tests.api.conftest import client_with_key

    _client, key = factories.make_api_client("later", expires_at=timezone.now() + dt.timedelta(days=1))
    assert client_with_key(key).get("/api/v1/activities/").status_code == 200


def test_last_used_time_is_recorded_at_most_once_a_minute(write_client, write_api, activity):
    client, _key = write_client
    write_api.get("/api/v1/activities/")
    client.refresh_from_db()
    first = client.last_used_at
    assert first is not None
    write_api.get("/api/v1/activities/")
    client.refresh_from_db()
    assert client.last_used_at == first


def test_a_write_key_limited_to_its_body_writes_there(db, activity, body):
    from tests.api.conftest import client_with_key

    _client, key = factories.make_api_client("mod-system", bodies=[body])
    response = client_with_key(key).patch(f"/api/v1/activities/{activity.pk}/", {"progress": 20}, format="json")
    assert response.status_code == 200


def test_a_key_limited_to_a_body_cannot_move_an_activity_to_another_body(db, activity, body, other_body):
    from tests.api.conftest import client_with_key

    _client, key = factories.make_api_client("mod-system", bodies=[body])
    response = client_with_key(key).patch(
        f"/api/v1/activities/{activity.pk}/", {"responsible_body": other_body.pk}, format="json"
    )
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.responsible_body_id == body.pk
