"""/health/ready/ answers within a second whatever hangs, says how long the worker has been silent, and keeps
the checks' error text for internal callers (loopback without a proxy, or the X-Health-Token)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tracker.jobs import heartbeat
from tracker.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers: a Redis hung under load."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def test_a_hung_dependency_is_reported_down_within_a_second(client, silent_redis):
    heartbeat.beat("worker@test")
    with override_settings(REDIS_URL=silent_redis, HEALTH_CHECK_TIMEOUT_SECONDS=0.5):
        started = time.monotonic()
        response = client.get("/health/ready/")
        took = time.monotonic() - started
    assert took < 1.0, took
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"]
    assert body["checks"]["database"] == "ok" and body["checks"]["worker"] == "ok"


def test_internal_callers_learn_how_long_the_worker_has_been_gone(client):
    WorkerHeartbeat.objects.create(worker="worker@gone", seen_at=timezone.now() - dt.timedelta(seconds=200))
    body = client.get("/health/ready/").json()
    assert body["down"] == ["worker"]
    assert 200 <= body["worker_silent_seconds"] < 210
    assert body["checks"]["worker"].startswith("no heartbeat for 2")


def test_outside_callers_learn_what_is_down_but_not_why():
    WorkerHeartbeat.objects.create(worker="worker@gone", seen_at=timezone.now() - dt.timedelta(seconds=200))
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = Client().get("/health/ready/", **OUTSIDE)
        proxied = Client().get("/health/ready/", HTTP_X_FORWARDED_FOR="203.0.113.9")  # loopback, via a proxy
    for answer in (response, proxied):
        assert answer.status_code == 503
        body = answer.json()
        assert body["down"] == ["redis", "worker"]
        assert body["checks"] == {"database": "ok", "redis": "down", "worker": "down"}
        assert "worker_silent_seconds" not in body
        assert "127.0.0.1" not in answer.content.decode() and "Error" not in answer.content.decode()


@override_settings(HEALTH_DETAIL_TOKEN="s3cret-health-token")
def test_the_health_token_opens_the_details_to_a_caller_from_outside():
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        wrong = Client().get("/health/ready/", HTTP_X_HEALTH_TOKEN="guess", **OUTSIDE).json()
        right = Client().get("/health/ready/", HTTP_X_HEALTH_TOKEN="s3cret-health-token", **OUTSIDE).json()
    assert wrong["checks"]["redis"] == "down"
    assert "ConnectionError" in right["checks"]["redis"]
    assert right["checks"]["worker"] == "no worker has reported a heartbeat yet"
