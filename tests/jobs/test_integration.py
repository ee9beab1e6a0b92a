"""Integration: a real `celery -A presidency worker -B` on this test database, the machine's Redis (db from
TEST_REDIS_URL) or a private redis-server, and a local HTTP receiver. Faults are real: the worker is
killed with SIGKILL mid-delivery, and a private Redis is stopped and started again."""

from __future__ import annotations

import signal
import time

import pytest

from tests.jobs.processes import RedisServer, Worker, private_redis, wait_until, worker_env
from tests.jobs.support import broker, documented_verifier, running_receiver
from tests.support import empty_claimed_redis, unavailable
from tracker import events, services
from tracker.models import OutboxEvent, WebhookDelivery, WebhookSubscription, WorkerHeartbeat

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ONLY_STATUS = [events.ACTIVITY_STATUS_CHANGED]


@pytest.fixture
def shared_redis(redis_url):
    """The run's own Redis database (tests/support.py), emptied of earlier tests' messages."""
    empty_claimed_redis(redis_url)
    yield redis_url
    empty_claimed_redis(redis_url)


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Start workers with `workers(env)`; all are killed before the test database is flushed."""
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill(signal.SIGKILL)


def _wait_for_heartbeat(worker: Worker, *, after: float = 0.0, timeout: float = 20) -> None:
    def beating() -> bool:
        if worker.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{worker.output()}")
        seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        return seen is not None and seen.timestamp() > after

    try:
        wait_until(beating, timeout=timeout, what="the worker's heartbeat")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{worker.output()}") from None


def _received(receiver, count: int, worker: Worker, timeout: float):
    try:
        return receiver.wait_for(count, timeout=timeout)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{worker.output()}") from None


def _start_activity(activity, editor_actor):
    return services.activity_transition(actor=editor_actor, activity=activity, status="in_progress", note="Go")


def _delivery_status(event_id) -> str | None:
    return WebhookDelivery.objects.filter(event_id=event_id).values_list("status", flat=True).first()


def test_a_change_reaches_the_receiver_signed_through_a_real_worker(activity, editor_actor, shared_redis, workers):
    with running_receiver() as receiver, broker(shared_redis):
        subscription = WebhookSubscription.objects.create(name="Receiver", url=receiver.url, events=ONLY_STATUS)
        worker = workers(worker_env(broker_env={"REDIS_URL": shared_redis}))
        _wait_for_heartbeat(worker)

        _start_activity(activity, editor_actor)

        (request,) = _received(receiver, 1, worker, timeout=20)
        assert documented_verifier()(subscription.secret, request.headers, request.body)
        assert request.json["activity"]["status"] == "in_progress"
        event = OutboxEvent.objects.get(event_type=events.ACTIVITY_STATUS_CHANGED)
        assert request.event_id == str(event.pk)
        wait_until(lambda: _delivery_status(event.pk) == "delivered", timeout=10, what="the delivery's record")


def test_an_event_whose_worker_is_killed_mid_delivery_arrives_after_a_restart(
    activity, editor_actor, shared_redis, workers
):
    with running_receiver(hold=30, hold_count=1) as receiver, broker(shared_redis):
        WebhookSubscription.objects.create(name="Slow receiver", url=receiver.url, events=ONLY_STATUS)
        env = worker_env(broker_env={"REDIS_URL": shared_redis})
        first = workers(env)
        _wait_for_heartbeat(first)

        _start_activity(activity, editor_actor)
        assert receiver.arrived.wait(20), first.output()
        first.kill(signal.SIGKILL)  # mid-delivery: the receiver is still holding the request
        receiver.release.set()
        event_id = str(OutboxEvent.objects.get(event_type=events.ACTIVITY_STATUS_CHANGED).pk)
        assert _delivery_status(event_id) == "pending"

        restart = time.time()
        second = workers(env)
        _wait_for_heartbeat(second, after=restart)
        requests = _received(receiver, 2, second, timeout=25)
        assert {r.event_id for r in requests} == {event_id}  # at least once, always the same event id
        wait_until(lambda: _delivery_status(event_id) == "delivered", timeout=10, what="the delivery's record")


def test_writes_succeed_while_redis_is_down_and_their_events_arrive_once_it_is_back(
    activity, editor_actor, workers
):
    if not RedisServer.available():
        unavailable("redis-server is not installed (apt-get install redis-server)")
    with private_redis() as server, running_receiver() as receiver, broker(server.url):
        WebhookSubscription.objects.create(name="Receiver", url=receiver.url, events=ONLY_STATUS)
        worker = workers(worker_env(broker_env={"REDIS_URL": server.url}))
        _wait_for_heartbeat(worker)

        server.stop()
        started = time.monotonic()
        _start_activity(activity, editor_actor)  # commits; the hand-off to Celery fails and is logged
        assert time.monotonic() - started < 2
        event = OutboxEvent.objects.get(event_type=events.ACTIVITY_STATUS_CHANGED)
        event_id = str(event.pk)
        time.sleep(1)
        assert receiver.requests == []
        assert event.dispatched_at is None  # nobody heard of it: only the outbox row remembers it

        server.start()  # an empty Redis: whatever was queued before is gone; the outbox is not
        (request,) = _received(receiver, 1, worker, timeout=30)
        assert request.event_id == event_id
        wait_until(lambda: _delivery_status(event_id) == "delivered", timeout=10, what="the delivery's record")


def test_embedded_mode_runs_the_jobs_on_the_filesystem_broker_without_any_server(
    activity, editor_actor, workers, tmp_path
):
    folder = tmp_path / "broker"
    env = worker_env(broker_env={"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_DIR": str(folder)})
    options = {key: str(folder / name) for key, name in (
        ("data_folder_in", "queue"), ("data_folder_out", "queue"), ("control_folder", "control"),
        ("processed_folder", "processed"))}
    for path in options.values():
        (folder / path).mkdir(parents=True, exist_ok=True)
    with running_receiver() as receiver, broker("filesystem://", {**options, "store_processed": False}):
        WebhookSubscription.objects.create(name="Receiver", url=receiver.url, events=ONLY_STATUS)
        worker = workers(env)
        _wait_for_heartbeat(worker)  # beat scheduled it and the worker ran it: the periodic jobs run

        _start_activity(activity, editor_actor)
        (request,) = _received(receiver, 1, worker, timeout=20)
        assert request.json["type"] == events.ACTIVITY_STATUS_CHANGED


def test_make_run_starts_a_worker_beside_the_web_server_and_stops_it_with_the_server(transactional_db, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.jobs.processes import BASE_DIR, free_port, test_database_url

    port = free_port()
    env = {**os.environ, "PY": sys.executable, "PORT": str(port), "DATABASE_URL": test_database_url(),
           "CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_DIR": str(tmp_path / "broker"),
           "WORKER_HEARTBEAT_SECONDS": "1", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env.pop("REDIS_URL", None)
    script = subprocess.Popen([str(BASE_DIR / "scripts" / "run-embedded")], cwd=BASE_DIR, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def children(pid: int) -> list[int]:
        path = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    try:
        wait_until(lambda: WorkerHeartbeat.objects.exists(), timeout=25, what="the embedded worker's heartbeat")
        health = wait_until(lambda: _get(port, "/health/"), timeout=15, what="the web server")
        assert health == 200
        by_command = {Path(f"/proc/{pid}/cmdline").read_bytes(): pid for pid in children(script.pid)}
        worker_pid = next(pid for command, pid in by_command.items() if b"celery" in command)
        server_pid = next(pid for command, pid in by_command.items() if b"runserver" in command)
        os.kill(server_pid, signal.SIGTERM)  # the web server stops (as with Ctrl-C)...
        script.wait(20)
        wait_until(lambda: not Path(f"/proc/{worker_pid}").exists() or _zombie(worker_pid), timeout=15,
                   what="the worker to stop with the web server")
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait(5)


def _get(port: int, path: str) -> int | None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _zombie(pid: int) -> bool:
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
