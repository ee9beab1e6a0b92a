"""Issue 16's acceptance: a test that plays another ministry's system against a live server, with a real
Celery worker (`celery -A presidency worker -B`) on Redis and a local HTTP receiver. Names resolve through
the tests' DNS table (tests/dns.py; the worker reads it from TEST_DNS_FILE): no traffic leaves the machine.

It subscribes with its own key, writes by codes, is down for a while, comes back, catches up from the events
feed with the example client (examples/tracker_client.py), rotates its secret, and finally dies for good.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories
from tests.jobs.processes import Worker, wait_until, worker_env
from tests.jobs.support import broker, documented_verifier, running_receiver
from tests.support import empty_claimed_redis
from tracker import events, services
from tracker.models import Activity, ApiClient, OutboxEvent, WebhookDelivery, WebhookSubscription, WorkerHeartbeat
from tracker.permissions import Actor

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "examples" / "tracker_client.py"


@pytest.fixture
def shared_redis(redis_url):
    empty_claimed_redis(redis_url)
    yield redis_url
    empty_claimed_redis(redis_url)


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        after = time.time()

        def beating() -> bool:
            if worker.process.poll() is not None:
                raise AssertionError(f"the worker exited:\n{worker.output()}")
            seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
            return seen is not None and seen.timestamp() > after - 1

        wait_until(beating, timeout=30, what="the worker's heartbeat")
        return worker

    yield start
    for worker in started:
        worker.kill(signal.SIGKILL)


@pytest.fixture
def agenda(transactional_db):
    presidency = factories.PresidencyFactory(code="csto-2023")
    for number in (1, 2, 3, 4):
        factories.PriorityFactory(presidency=presidency, number=number)
    factories.BodyFactory(code="by-mod", name="Ministry of Defence of Belarus")
    for code in ("AM", "BY", "KZ"):
        factories.MemberStateFactory(code=code)
    return presidency


def _session(key: str):
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    return session


def _run_client(live_server, key: str, state: Path, command: str) -> dict:
    done = subprocess.run([sys.executable, str(CLIENT), "--url", live_server.url, "--key", key, "--state",
                           str(state), command], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _public_event_ids() -> list[str]:
    return [str(pk) for pk in OutboxEvent.objects.filter(event_type__in=events.EVENT_TYPES)
            .order_by("position").values_list("pk", flat=True)]


def test_a_receiving_system_subscribes_writes_by_codes_survives_downtime_and_rotates_its_secret(
    live_server, agenda, shared_redis, start_worker, tmp_path, dns
):
    dns_file = tmp_path / "dns.json"
    _client, key = factories.make_api_client("mod-system", ApiClient.Scope.WRITE, manage_webhooks=True,
                                            contact_email="ops@mod.example.org")
    api = _session(key)
    verify = documented_verifier()
    with running_receiver() as receiver, broker(shared_redis):
        port = receiver.url.split(":")[2].split("/")[0]
        dns["receiver.test"] = ["127.0.0.1"]
        dns_file.write_text(json.dumps({"receiver.test": ["127.0.0.1"]}))
        start_worker(worker_env(broker_env={"REDIS_URL": shared_redis}, TEST_DNS_FILE=str(dns_file),
                                WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32"))

        # Self-service: the system subscribes its own endpoint with its own key.
        made = api.post(f"{live_server.url}/api/v1/webhooks/", json={"name": "MoD", "url":
                        f"http://receiver.test:{port}/hooks"})
        assert made.status_code == 201, made.text
        subscription_id, secret = made.json()["id"], made.json()["secret"]

        # Writes by codes, as the ministry knows them.
        created = api.put(f"{live_server.url}/api/v1/activities/by-ref/mod/EX-1/", json={
            "title": "Joint staff exercise", "kind": "exercise", "priority": "csto-2023:2",
            "responsible_body": "by-mod", "lead_state": "BY", "participating_states": ["AM", "KZ"],
            "start_date": "2023-03-01", "due_date": "2023-10-15"})
        assert created.status_code == 201, created.text
        activity = created.json()
        assert activity["codes"]["responsible_body"] == "by-mod" and activity["codes"]["priority"] == "csto-2023:2"
        first = receiver.wait_for(1, timeout=30)[0]
        assert first.json["type"] == events.ACTIVITY_CREATED and verify(secret, first.headers, first.body)
        assert first.headers["Host"] == f"receiver.test:{port}"

        # The receiver goes down; the system's own people keep writing, then delete the activity.
        receiver.answers = [503] * 6
        for title in ("Joint staff exercise, phase 2", "Joint staff exercise, phase 3"):
            current = api.get(f"{live_server.url}/api/v1/activities/{activity['id']}/").json()
            changed = api.patch(f"{live_server.url}/api/v1/activities/{activity['id']}/", json={"title": title},
                                headers={"If-Match": f'"{current["version"]}"'})
            assert changed.status_code == 200, changed.text
        services.activity_delete(actor=Actor.system(), activity=Activity.objects.get(pk=activity["id"]))

        # Back up: every event arrives, and every copy of an event carries the same bytes.
        expected = set(_public_event_ids())
        assert len(expected) == 4  # created, updated twice, deleted
        wait_until(lambda: _all_delivered(subscription_id, len(expected)), timeout=90,
                   what="the deliveries after the outage")
        bodies: dict[str, set[bytes]] = {}
        for request in receiver.requests:
            bodies.setdefault(request.event_id, set()).add(request.body)
            assert verify(secret, request.headers, request.body)
        assert set(bodies) == expected
        assert all(len(copies) == 1 for copies in bodies.values()), "an event arrived with two different bodies"
        updated = [json.loads(next(iter(bodies[pk]))) for pk in bodies]
        titles = sorted(doc["activity"]["title"] for doc in updated if doc["type"] == events.ACTIVITY_UPDATED)
        assert titles == ["Joint staff exercise, phase 2", "Joint staff exercise, phase 3"]  # each its moment
        assert any(len(json.loads(b)["activity"]) > 20 for pk in bodies for b in bodies[pk]
                   if json.loads(b)["type"] == events.ACTIVITY_DELETED)

        # Catch-up from the feed with the example client: nothing missed, nothing doubled, resumable.
        state = tmp_path / "state.json"
        caught = _run_client(live_server, key, state, "catch-up")
        assert caught["new_events"] == len(expected)
        assert json.loads(state.read_text())["events"] == _public_event_ids()
        assert _run_client(live_server, key, state, "catch-up")["new_events"] == 0
        synced = _run_client(live_server, key, state, "sync")
        assert synced["changed"] == 0  # the only activity was deleted

        # Secret rotation with an overlap: a receiver still on the old secret and one on the new both verify.
        rotated = api.post(f"{live_server.url}/api/v1/webhooks/{subscription_id}/rotate-secret/",
                           json={"overlap_hours": 1})
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        before = len(receiver.requests)
        again = api.put(f"{live_server.url}/api/v1/activities/by-ref/mod/EX-2/", json={
            "title": "Staff talks", "kind": "dialogue", "priority": "2", "responsible_body": "by-mod",
            "start_date": "2023-03-01", "due_date": "2023-10-15"})
        assert again.status_code == 201, again.text
        arrived = receiver.wait_for(before + 1, timeout=30)[before:]
        for request in arrived:
            assert verify(secret, request.headers, request.body)
            assert verify(new_secret, request.headers, request.body)
        assert _run_client(live_server, key, state, "catch-up")["new_events"] == len(arrived)

        # Deliveries over the API, and a redelivery of the first event: byte-identical.
        listed = api.get(f"{live_server.url}/api/v1/webhooks/{subscription_id}/deliveries/").json()["results"]
        oldest = min(listed, key=lambda row: row["id"])
        assert oldest["attempt_log"]
        count = len(receiver.requests)
        assert api.post(f"{live_server.url}/api/v1/webhooks/{subscription_id}/deliveries/{oldest['id']}/redeliver/"
                        ).json() == {"queued": 1}
        resent = receiver.wait_for(count + 1, timeout=30)[-1]
        assert resent.event_id == first.event_id and resent.body == first.body


def test_a_dead_receiver_is_switched_off_and_a_re_pointed_name_is_refused(
    live_server, agenda, shared_redis, start_worker, tmp_path, dns, coordinator
):
    dns_file = tmp_path / "dns.json"
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    _client, key = factories.make_api_client("mod-system", ApiClient.Scope.WRITE, manage_webhooks=True,
                                            contact_email="ops@mod.example.org")
    api = _session(key)
    with running_receiver(answers=[500] * 100) as dead, running_receiver() as good, broker(shared_redis):
        dead_port = dead.url.split(":")[2].split("/")[0]
        good_port = good.url.split(":")[2].split("/")[0]
        table = {"dead.test": ["127.0.0.1"], "moving.test": ["127.0.0.1"]}
        dns.update(table)
        dns_file.write_text(json.dumps(table))
        start_worker(worker_env(broker_env={"REDIS_URL": shared_redis}, TEST_DNS_FILE=str(dns_file),
                                WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32", WEBHOOK_DISABLE_AFTER_HOURS="72"))
        dead_id = api.post(f"{live_server.url}/api/v1/webhooks/", json={
            "name": "Dead", "url": f"http://dead.test:{dead_port}/hooks"}).json()["id"]
        moving_id = api.post(f"{live_server.url}/api/v1/webhooks/", json={
            "name": "Moving", "url": f"http://moving.test:{good_port}/hooks"}).json()["id"]
        # The name is re-pointed to an internal address after the subscription was checked and saved.
        dns_file.write_text(json.dumps({**table, "moving.test": ["10.0.0.7"]}))
        # The dead receiver has failed for three days already.
        WebhookSubscription.objects.filter(pk=dead_id).update(failing_since=timezone.now() - dt.timedelta(hours=73))

        made = api.put(f"{live_server.url}/api/v1/activities/by-ref/mod/EX-9/", json={
            "title": "Staff talks", "kind": "dialogue", "priority": "csto-2023:1", "responsible_body": "by-mod",
            "start_date": "2023-03-01", "due_date": "2023-10-15"})
        assert made.status_code == 201, made.text

        wait_until(lambda: not WebhookSubscription.objects.get(pk=dead_id).active, timeout=40,
                   what="the dead subscription switched off")
        dead_row = WebhookSubscription.objects.get(pk=dead_id)
        assert "72 hours" in dead_row.disabled_reason and dead_row.disabled_at is not None
        assert OutboxEvent.objects.filter(event_type=events.WEBHOOK_DISABLED,
                                          payload__subscription__id=dead_id).exists()
        assert api.get(f"{live_server.url}/api/v1/webhooks/{dead_id}/").json()["active"] is False

        wait_until(lambda: WebhookDelivery.objects.filter(subscription_id=moving_id, attempts__gte=1).exists(),
                   timeout=30, what="an attempt to the re-pointed name")
        attempt = WebhookDelivery.objects.filter(subscription_id=moving_id).first()
        assert "Refused target" in attempt.last_error
        assert good.requests == []  # nothing reached the old address either: the name was asked once, refused

        # Switched back on: nothing it missed is replayed unless asked.
        seen = len(dead.requests)
        dead.answers.clear()
        assert api.patch(f"{live_server.url}/api/v1/webhooks/{dead_id}/", json={"active": True}).status_code == 200
        time.sleep(3)  # three sweeps
        assert len(dead.requests) == seen


def _all_delivered(subscription_id: int, count: int) -> bool:
    rows = WebhookDelivery.objects.filter(subscription_id=subscription_id)
    return rows.count() == count and not rows.exclude(status=WebhookDelivery.Status.DELIVERED).exists()
