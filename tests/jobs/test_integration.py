"""Integration: a real `celery -A presidency worker -B` on this test database, the machine's Redis (db from
TEST_REDIS_URL) or a private redis-server, and a local HTTP receiver. Faults are real: the worker is
killed with SIGKILL mid-delivery, and a private Redis is stopped and started again."""

from __future__ import annotations

import signal
import time

import pytest
import redis

from tests.jobs.processes import RedisServer, Worker, private_redis, wait_until, worker_env
from tests.jobs.support import broker, documented_verifier, running_receiver
from tests.support import unavailable
from tracker import events, services
from tracker.models import OutboxEvent, WebhookDelivery, WebhookSubscription, WorkerHeartbeat

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ONLY_STATUS = [events.ACTIVITY_STATUS_CHANGED]


@pytest.fixture
def shared_redis(redis_url):
    """The machine's Redis, on this engineer's own db number, emptied of earlier runs' messages."""
    redis.Redis.from_url(redis_url).flushdb()
    yield redis_url
    redis.Redis.from_url(redis_url).flushdb()


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
