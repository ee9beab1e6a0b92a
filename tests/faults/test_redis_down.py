"""Redis down under a real gunicorn: the board and the API keep answering, writes are saved, throttling and
the cache fall back quietly, and the events wait in the outbox until Redis and a worker are back.

The Redis here is a private redis-server on a free port (the machine's Redis is shared and never stopped).
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests import factories
from tests.faults.support import Http, gunicorn_env, running_gunicorn, session_for
from tests.jobs.processes import private_redis, wait_until, worker_env
from tests.jobs.processes import test_database_url as database_url_of_this_test
from tests.jobs.support import running_receiver
from tracker.models import ApiClient, OutboxEvent, ProgressUpdate, WebhookDelivery, WebhookSubscription

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _no_server_error(answer, what: str) -> None:
    assert answer.status < 500, f"{what} answered {answer.status}: {answer.body[:300]!r}"
    assert answer.seconds < 3, f"{what} took {answer.seconds:.1f}s: a dead Redis must not hold requests"


def test_with_redis_down_everything_answers_and_the_events_arrive_once_it_is_back(
    activity, editor, tmp_path, workers, redis_server_binary
):
    with private_redis() as redis_server, running_receiver() as receiver:
        WebhookSubscription.objects.create(name="Planning system", url=receiver.url, secret="s3cret-for-tests")
        _client, key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
        env = gunicorn_env(database_url_of_this_test(), REDIS_URL=redis_server.url)
        with running_gunicorn(env, tmp_path) as web:
            staff = Http(web.port, session=session_for(editor))
            api = Http(web.port, key=key)
            anonymous = Http(web.port)
            assert staff.get("/board/").status == 200  # Redis up: the cache and the throttle counters fill

            redis_server.stop()

            for path in ("/", "/board/", f"/activities/{activity.pk}/", "/timeline/", "/calendar/", "/reports/",
                         "/reports/activities.csv"):
                answer = staff.get(path)
                _no_server_error(answer, path)
                assert answer.status == 200, path
            for _ in range(15):  # throttled calls count in the cache: with Redis gone they are simply allowed
                answer = api.get("/api/v1/activities/")
                _no_server_error(answer, "API list")
                assert answer.status == 200
            wrong = anonymous.post("/accounts/login/", {"username": "editor", "password": "wrong"}, form=True)
            _no_server_error(wrong, "a failed sign-in")  # the lockout counts in the database
            assert wrong.status == 200 and b"correct username and password" in wrong.body

            # Writes: the board's move, and a progress report with If-Match and an Idempotency-Key, twice.
            moved = staff.post(f"/activities/{activity.pk}/move/", {"status": "in_progress", "expected_version": 1},
                               form=True)
            _no_server_error(moved, "move")
            assert moved.status == 302
            etag = api.get(f"/api/v1/activities/{activity.pk}/").headers["etag"]
            report = {"progress": 40, "note": "Invitations sent"}
            headers = {"If-Match": etag, "Idempotency-Key": str(uuid.uuid4())}
            first = api.post(f"/api/v1/activities/{activity.pk}/updates/", report, headers=headers)
            again = api.post(f"/api/v1/activities/{activity.pk}/updates/", report, headers=headers)
            _no_server_error(first, "progress report")
            assert (first.status, again.status, again.headers.get("idempotent-replayed")) == (201, 201, "true")
            assert ProgressUpdate.objects.filter(activity=activity, note="Invitations sent").count() == 1

            ready = anonymous.get("/health/ready/")
            assert ready.status == 503 and "redis" in ready.json()["down"]

            # Nobody heard of the changes: only the outbox remembers them.
            events = set(OutboxEvent.objects.values_list("id", flat=True))
            assert len(events) >= 3  # moved (updated, status changed), reported (updated, progress reported)
            time.sleep(1)
            assert receiver.requests == []
            assert not OutboxEvent.objects.filter(dispatched_at__isnull=False).exists()

            redis_server.start()  # an empty Redis on the same port, as after a restart
            worker = workers(worker_env(broker_env={"REDIS_URL": redis_server.url}))
            try:
                receiver.wait_for(len(events), timeout=40,
                                  predicate=lambda got: {r.event_id for r in got} >= {str(e) for e in events})
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n--- worker ---\n{worker.output()}") from None
            wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").count() == len(events),
                       timeout=10, what="every delivery recorded as delivered")
            assert anonymous.get("/health/ready/").json()["checks"]["redis"] == "ok"
            assert [line for line in web.server_errors() if "/health/ready/" not in line] == []
            assert "Internal Server Error" not in web.output()
