"""API writes meeting database faults: a deadlock is retried in the server (one write, one log row), one that
outlives the retries is an honest 503, and an Idempotency-Key whose request died with the database is free
again within the request time limit, not stuck for a long lease."""

from __future__ import annotations

import datetime as dt
import socket

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tracker.models import ApiClient, IdempotencyRecord, ProgressUpdate
from tracker.services import store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(db):
    _client, key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _deadlock() -> OperationalError:
    try:
        raise psycopg.errors.DeadlockDetected("deadlock detected")
    except psycopg.Error as cause:
        error = OperationalError("deadlock detected")
        error.__cause__ = cause
        return error


def _log_failing(times: int, error):
    """store.log that fails its first `times` calls (inside the write's transaction)."""
    real = store.log
    calls = []

    def log(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise error()
        return real(*args, **kwargs)

    return log, calls


def test_a_deadlocked_write_is_retried_in_the_server_and_lands_once(api, activity, monkeypatch):
    log, calls = _log_failing(1, _deadlock)
    monkeypatch.setattr(store, "log", log)
    response = api.post(f"/api/v1/activities/{activity.pk}/updates/", {"progress": 30, "note": "n"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="dl-1")
    assert response.status_code == 201, response.content
    assert len(calls) == 2
    activity.refresh_from_db()
    assert (activity.version, activity.progress) == (2, 30)
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1
    assert IdempotencyRecord.objects.get(key="dl-1").state == IdempotencyRecord.State.DONE


def test_a_write_that_keeps_deadlocking_answers_503_saying_it_conflicted_and_saves_nothing(
    api, activity, monkeypatch, settings
):
    settings.DATABASE_CONFLICT_ATTEMPTS = 2
    log, calls = _log_failing(99, _deadlock)
    monkeypatch.setattr(store, "log", log)
    response = api.post(f"/api/v1/activities/{activity.pk}/updates/", {"progress": 30, "note": "n"}, format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "conflicted with other requests" in body["detail"] and "unavailable" not in body["detail"]
    assert len(calls) == 2
    activity.refresh_from_db()
    assert activity.version == 1
    assert not ProgressUpdate.objects.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_key_whose_request_died_with_the_database_is_free_within_the_request_time_limit(
    api, activity, monkeypatch, settings
):
    saved = dict(connection.settings_dict)

    def database_goes_away():
        # The connection breaks mid-write and the server stays unreachable: the key cannot be released.
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-folder/tracker.sqlite3"
        else:
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        connection.close()
        return OperationalError("server closed the connection unexpectedly")

    log, _calls = _log_failing(1, database_goes_away)
    monkeypatch.setattr(store, "log", log)
    url = f"/api/v1/activities/{activity.pk}/updates/"
    try:
        failed = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="gone-1")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert failed.status_code == 503

    # At once, the claim still stands (nothing could delete it): the retry is told to wait.
    waiting = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="gone-1")
    assert waiting.status_code == 409
    # Once the request time limit has passed (gunicorn has killed anything that ran that long), it runs.
    assert settings.API_IDEMPOTENCY_LEASE_SECONDS <= settings.REQUEST_TIME_LIMIT_SECONDS
    past_limit = timezone.now() - dt.timedelta(seconds=settings.REQUEST_TIME_LIMIT_SECONDS + 1)
    IdempotencyRecord.objects.filter(key="gone-1").update(locked_at=past_limit, created_at=past_limit)
    retried = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="gone-1")
    assert retried.status_code == 201, retried.content
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1


def test_a_key_whose_request_lost_its_connection_is_released_on_a_new_one(api, activity, monkeypatch):
    def connection_breaks():
        connection.close()  # the server is back at once: the release reconnects
        return OperationalError("server closed the connection unexpectedly")

    log, _calls = _log_failing(1, connection_breaks)
    monkeypatch.setattr(store, "log", log)
    url = f"/api/v1/activities/{activity.pk}/updates/"
    failed = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="gone-2")
    assert failed.status_code == 503
    assert not IdempotencyRecord.objects.filter(key="gone-2").exists()
    retried = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="gone-2")
    assert retried.status_code == 201


def test_a_first_attempt_that_outlived_its_lease_cannot_commit_after_a_retry_took_the_key(
    api, activity, monkeypatch, settings
):
    # The first attempt is still writing when its lease runs out and a retry takes the key over and
    # finishes: the first attempt's work is rolled back, so the write happens once.
    url = f"/api/v1/activities/{activity.pk}/updates/"
    real = store.log

    def slow_log(*args, **kwargs):
        monkeypatch.setattr(store, "log", real)
        expired = timezone.now() - dt.timedelta(seconds=settings.API_IDEMPOTENCY_LEASE_SECONDS + 1)
        IdempotencyRecord.objects.filter(key="late-1").update(locked_at=expired)  # the lease ran out
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "log", slow_log)
    first = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="late-1")
    assert first.status_code == 409
    assert ProgressUpdate.objects.filter(activity=activity).count() == 0
    retried = api.post(url, {"progress": 30, "note": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="late-1")
    assert retried.status_code == 201
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1


def test_the_conflict_answer_speaks_russian_too(api, activity, monkeypatch, settings):
    settings.DATABASE_CONFLICT_ATTEMPTS = 1
    log, _calls = _log_failing(99, _deadlock)
    monkeypatch.setattr(store, "log", log)
    response = api.post(f"/api/v1/activities/{activity.pk}/updates/", {"progress": 30}, format="json",
                        HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 503
    assert "столкнулся с другими запросами" in response.json()["detail"]
