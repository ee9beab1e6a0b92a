"""Issue 18: an API read costs two statements or fewer, authentication included, and the key's cached lookup
still lets a revocation or an expiry take effect within seconds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.api.conftest import client_with_key
from tracker import services
from tracker.api import authentication
from tracker.models import ApiClient


@pytest.fixture
def limited(db, body):
    """A write key limited to one body: its bodies are part of its lookup."""
    return factories.make_api_client("limited-system", ApiClient.Scope.WRITE, bodies=[body])


@pytest.mark.parametrize("states", [1, 8])
def test_a_retrieve_is_one_statement_warm_and_two_cold(limited, body, states, django_assert_num_queries,
                                                      django_assert_max_num_queries):
    activity = factories.ActivityFactory(responsible_body=body)
    activity.participating_states.set([factories.MemberStateFactory(code=f"S{n}") for n in range(states)])
    api = client_with_key(limited[1])
    api.get(f"/api/v1/activities/{activity.pk}/")  # the first use of the minute also records last_used_at
    authentication._clients.clear()
    with django_assert_max_num_queries(2):  # the key with its bodies, then the row with its states
        cold = api.get(f"/api/v1/activities/{activity.pk}/")
    with django_assert_num_queries(1):
        warm = api.get(f"/api/v1/activities/{activity.pk}/")
    assert cold.json() == warm.json()
    assert len(warm.json()["participating_states"]) == states


@pytest.mark.parametrize("rows", [10, 100])
def test_a_list_page_is_one_statement_warm_and_two_cold(limited, body, priorities, rows,
                                                       django_assert_num_queries, django_assert_max_num_queries):
    states = [factories.MemberStateFactory(code=code) for code in ("AM", "BY", "KG")]
    for _ in range(rows):
        factories.ActivityFactory(priority=priorities[0], responsible_body=body).participating_states.set(states)
    api = client_with_key(limited[1])
    api.get("/api/v1/activities/?page_size=100")
    authentication._clients.clear()
    with django_assert_max_num_queries(2):
        assert len(api.get("/api/v1/activities/?page_size=100").json()["results"]) == rows
    with django_assert_num_queries(1):
        page = api.get("/api/v1/activities/?page_size=100&ordering=due_date").json()
    assert page["count"] is None
    assert all(len(row["participating_states"]) == 3 for row in page["results"])
    with django_assert_num_queries(2):  # asking for the count costs its statement, and only then
        assert api.get("/api/v1/activities/?page_size=100&count=true").json()["count"] == rows


def test_a_revocation_here_takes_effect_at_once(write_client, activity):
    client, key = write_client
    api = client_with_key(key)
    assert api.get(f"/api/v1/activities/{activity.pk}/").status_code == 200
    services.api_client_revoke(client=client, via="admin", actor="test")
    response = api.get(f"/api/v1/activities/{activity.pk}/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_revocation_in_another_process_takes_effect_within_the_cache_time(write_client, activity, settings,
                                                                            monkeypatch):
    settings.API_KEY_CACHE_SECONDS = 5
    client, key = write_client
    api = client_with_key(key)
    now = [1000.0]
    monkeypatch.setattr(authentication, "_clock", lambda: now[0])
    assert api.get(f"/api/v1/activities/{activity.pk}/").status_code == 200
    # Another worker revokes: no signal reaches this process, only the row changes.
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
    now[0] += 4
    assert api.get(f"/api/v1/activities/{activity.pk}/").status_code == 200  # still within the 5 s
    now[0] += 1.5
    response = api.get(f"/api/v1/activities/{activity.pk}/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_expiry_is_never_late_for_the_cache(db, activity, monkeypatch):
    expires = timezone.now() + dt.timedelta(hours=1)
    _client, key = factories.make_api_client("expiring", ApiClient.Scope.READ, expires_at=expires)
    api = client_with_key(key)
    assert api.get(f"/api/v1/activities/{activity.pk}/").status_code == 200
    later = expires + dt.timedelta(seconds=1)
    monkeypatch.setattr(authentication.timezone, "now", lambda: later)
    response = api.get(f"/api/v1/activities/{activity.pk}/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_key_limited_to_bodies_loses_a_body_at_once(limited, body, activity):
    """The bodies ride with the cached lookup; changing them forgets it."""
    client, key = limited
    api = client_with_key(key)
    activity.responsible_body = body
    activity.save()
    assert api.patch(f"/api/v1/activities/{activity.pk}/", {"progress": 10}, format="json",
                     HTTP_IF_MATCH=activity.etag).status_code == 200
    client.bodies.set([])
    activity.refresh_from_db()
    assert api.patch(f"/api/v1/activities/{activity.pk}/", {"progress": 20}, format="json",
                     HTTP_IF_MATCH=activity.etag).status_code == 403


def test_a_repeated_first_page_reuses_its_statement_and_sees_new_rows(write_api, body, priorities,
                                                                      django_assert_num_queries):
    for _ in range(3):
        factories.ActivityFactory(priority=priorities[0], responsible_body=body)
    url = f"/api/v1/activities/?priority={priorities[0].pk}&ordering=due_date&page_size=2"
    first = write_api.get(url).json()
    with django_assert_num_queries(1):  # no check of the priority, no compiling: the remembered statement
        again = write_api.get(url).json()
    assert again == first and again["next"] and again["count"] is None
    assert [r["id"] for r in write_api.get(again["next"]).json()["results"]]  # its cursor works
    newest = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 1, 2),
                                       start_date=dt.date(2023, 1, 1))
    assert write_api.get(url).json()["results"][0]["id"] == newest.pk  # the statement runs again, not its rows


def test_a_refused_first_page_is_never_remembered(write_api, activity):
    for _ in range(2):
        response = write_api.get("/api/v1/activities/?priority=987654")
        assert response.status_code == 400
        assert "priority" in response.json()["errors"]
