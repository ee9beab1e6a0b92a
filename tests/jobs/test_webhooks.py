"""Webhooks: a committed change reaches the receiver signed and once per subscription; failures are
retried on a widening schedule for a day; 410 switches a subscription off; a broker outage loses nothing."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from django.db import transaction
from django.utils import timezone

from tests.jobs.support import broker, documented_verifier, running_receiver
from tracker import events, services, webhook_http, webhooks
from tracker.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookSubscription
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


def _make_due(delivery_ids) -> None:
    """Let time pass: the deliveries' next attempts are due now."""
    WebhookDelivery.objects.filter(pk__in=list(delivery_ids)).update(next_attempt_at=timezone.now())


# --- Signing --------------------------------------------------------------------------------------------

def test_signature_checks_out_with_the_documented_snippet():
    verify = documented_verifier()
    body = b'{"id":"e1","type":"activity.updated"}'
    timestamp = int(time.time())
    headers = {"X-Tracker-Timestamp": str(timestamp), "X-Tracker-Signature": webhook_http.sign("k", timestamp, body)}
    assert verify("k", headers, body)
    assert not verify("other secret", headers, body)
    assert not verify("k", headers, body + b" ")


def test_documented_snippet_refuses_an_old_timestamp():
    verify = documented_verifier()
    body, old = b"{}", int(time.time()) - 3600
    headers = {"X-Tracker-Timestamp": str(old), "X-Tracker-Signature": webhook_http.sign("k", old, body)}
    assert not verify("k", headers, body)


# --- Backoff schedule -----------------------------------------------------------------------------------

def test_retry_delays_double_from_30_seconds_with_jitter_up_to_four_hours():
    for attempt, base in [(1, 30), (2, 60), (3, 120), (6, 960), (20, 4 * 3600)]:
        delays = [webhooks.retry_delay(attempt, rng=random.Random(seed)).total_seconds() for seed in range(50)]
        assert all(0.75 * base <= d <= 1.25 * base for d in delays), attempt
        assert len({round(d) for d in delays}) > 10  # jittered, not one fixed value


def test_retries_go_on_for_at_least_a_day_then_the_delivery_fails():
    start = now = dt.datetime(2023, 9, 1, 12, tzinfo=dt.UTC)
    attempts, rng = 1, random.Random(7)
    while (retry_at := webhooks.next_attempt_at(failed_attempts=attempts, window_started_at=start, now=now, rng=rng)):
        now, attempts = retry_at, attempts + 1
    assert now - start >= dt.timedelta(days=1)
    assert attempts < 25  # bounded: about a dozen tries, not thousands


# --- Delivery end to end (eager tasks, a real HTTP receiver) --------------------------------------------

def test_committed_change_is_delivered_signed_with_its_event_id(
    activity, editor_actor, subscription, receiver, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_transition(actor=editor_actor, activity=activity, status="in_progress", note="Started")

    requests = receiver.wait_for(2)
    types = {r.headers["X-Tracker-Event-Type"] for r in requests}
    assert types == {events.ACTIVITY_UPDATED, events.ACTIVITY_STATUS_CHANGED}
    status_changed = next(r for r in requests if r.headers["X-Tracker-Event-Type"] == events.ACTIVITY_STATUS_CHANGED)
    assert documented_verifier()(subscription.secret, status_changed.headers, status_changed.body)
    document = status_changed.json
    assert document["id"] == status_changed.event_id
    assert OutboxEvent.objects.filter(pk=document["id"], event_type=events.ACTIVITY_STATUS_CHANGED).exists()
    assert document["activity"]["status"] == "in_progress"
    assert document["activity"]["title"] == "Joint exercises in Belarus"
    assert document["data"] == {"from": "planned", "to": "in_progress", "note": "Started"}
    delivery = WebhookDelivery.objects.get(event_id=document["id"])
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.DELIVERED, 1)
    attempt = delivery.attempt_log.get()
    assert (attempt.status_code, attempt.response_excerpt) == (200, "answered 200")


def test_rolled_back_change_is_never_delivered(
    activity, editor_actor, subscription, receiver, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
        raise RuntimeError("the request failed after the write")
    assert not OutboxEvent.objects.exists()
    assert webhooks.sweep() == []
    assert receiver.requests == []


def test_subscription_receives_only_the_event_types_it_wants(activity, editor_actor, receiver, eager_tasks,
                                                              django_capture_on_commit_callbacks):
    WebhookSubscription.objects.create(name="Status only", url=receiver.url, events=[events.ACTIVITY_STATUS_CHANGED])
    WebhookSubscription.objects.create(name="Switched off", url=receiver.url, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_report(actor=editor_actor, activity=activity, progress=30, note="Under way")
    requests = receiver.wait_for(1)
    time.sleep(0.1)
    assert [r.headers["X-Tracker-Event-Type"] for r in receiver.requests] == [events.ACTIVITY_STATUS_CHANGED]
    assert len(requests) == 1


def test_fanning_out_twice_makes_one_delivery_per_subscription(activity, editor_actor, subscription):
    services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
    event_ids = list(OutboxEvent.objects.values_list("pk", flat=True))
    first = webhooks.fan_out(event_ids)
    second = webhooks.fan_out(event_ids)
    assert first == second
    assert WebhookDelivery.objects.count() == len(event_ids) == 2


def test_sweep_delivers_events_whose_after_commit_hint_was_lost(activity, editor_actor, subscription, receiver):
    services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")  # no on_commit run
    due = webhooks.sweep()
    assert len(due) == 2
    assert [webhooks.deliver(delivery_id) for delivery_id in due] == ["delivered", "delivered"]
    assert len(receiver.requests) == 2
    assert webhooks.sweep() == []


def test_deleted_activity_is_sent_as_its_recorded_summary(activity, coordinator_actor, subscription, receiver):
    services.activity_delete(actor=coordinator_actor, activity=activity)
    for delivery_id in webhooks.sweep():
        webhooks.deliver(delivery_id)
    document = receiver.requests[0].json
    assert document["type"] == events.ACTIVITY_DELETED
    assert document["activity"]["id"] == activity.pk


# --- Failures -------------------------------------------------------------------------------------------

def test_non_2xx_answer_is_logged_and_retried_later(activity, editor_actor, subscription, receiver):
    receiver.answers = [500]
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()

    assert webhooks.deliver(delivery_id) == "pending"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
    assert (delivery.last_status_code, delivery.attempts) == (500, 1)
    assert webhooks.deliver(delivery_id) is None  # not due yet: nothing is sent
    assert webhooks.sweep() == []

    _make_due([delivery_id])
    assert webhooks.sweep() == [delivery_id]
    assert webhooks.deliver(delivery_id) == "delivered"
    attempts = list(DeliveryAttempt.objects.filter(delivery_id=delivery_id).values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 200)]
    assert {r.event_id for r in receiver.requests} == {str(delivery.event_id)}
    assert [r.headers["X-Tracker-Delivery-Attempt"] for r in receiver.requests] == ["1", "2"]


def test_connection_error_is_logged_and_retried(activity, editor_actor):
    WebhookSubscription.objects.create(name="Down", url="http://127.0.0.1:9/hooks")
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()
    assert webhooks.deliver(delivery_id) == "pending"
    attempt = DeliveryAttempt.objects.get(delivery_id=delivery_id)
    assert attempt.status_code is None
    assert "Connection" in attempt.error


def test_delivery_fails_for_good_after_a_day_of_retries(activity, editor_actor, subscription, receiver):
    receiver.answers = [503]
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=12, window_started_at=timezone.now() - dt.timedelta(hours=26)
    )
    assert webhooks.deliver(delivery_id) == "failed"
    assert WebhookDelivery.objects.get(pk=delivery_id).attempts == 13


def test_410_gone_switches_the_subscription_off_and_cancels_its_other_deliveries(
    activity, editor_actor, subscription, receiver
):
    receiver.answers = [410]
    services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
    first, second = webhooks.sweep()
    assert webhooks.deliver(first) == "failed"
    subscription.refresh_from_db()
    assert not subscription.active
    assert "410" in subscription.disabled_reason
    assert WebhookDelivery.objects.get(pk=second).status == "cancelled"
    assert webhooks.deliver(second) is None
    assert len(receiver.requests) == 1


def test_private_target_is_refused_at_delivery_when_not_allowed(
    activity, editor_actor, subscription, receiver, settings
):
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert webhooks.deliver(delivery_id) == "pending"
    assert "Refused target" in DeliveryAttempt.objects.get(delivery_id=delivery_id).error
    assert receiver.requests == []


def test_a_delivery_held_by_one_worker_is_not_sent_by_another(activity, editor_actor, subscription, receiver):
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()
    WebhookDelivery.objects.filter(pk=delivery_id).update(leased_until=timezone.now() + dt.timedelta(seconds=30))
    assert webhooks.sweep() == []
    assert webhooks.deliver(delivery_id) is None
    # The holder died: once its lease runs out, the delivery is taken over and sent with the same event id.
    WebhookDelivery.objects.filter(pk=delivery_id).update(leased_until=timezone.now() - dt.timedelta(seconds=1))
    assert webhooks.deliver(delivery_id) == "delivered"
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once(priorities, body, coordinator_actor):
    with running_receiver(hold=0.3, hold_count=1) as receiver:
        WebhookSubscription.objects.create(name="Race", url=receiver.url, events=[events.ACTIVITY_CREATED])
        services.activity_create(actor=coordinator_actor, data={
            "priority": priorities[0], "title": "Race", "due_date": dt.date(2023, 5, 1), "responsible_body": body})
        (delivery_id,) = webhooks.sweep()
        outcomes: list = []

        def work() -> None:
            from django.db import connection

            try:
                outcomes.append(webhooks.deliver(delivery_id))
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes, key=str) == sorted(["delivered", None, None, None], key=str)
        assert len(receiver.requests) == 1


# --- The after-commit hand-off --------------------------------------------------------------------------

def test_a_write_succeeds_quickly_while_the_broker_is_down_and_the_sweep_delivers_later(
    activity, editor_actor, subscription, receiver, django_capture_on_commit_callbacks
):
    with broker("redis://127.0.0.1:9/0"):  # nothing listens there
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
        assert time.monotonic() - started < 3
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2
    for delivery_id in webhooks.sweep():
        webhooks.deliver(delivery_id)
    assert len(receiver.requests) == 2


def test_system_changes_are_delivered_too(activity, subscription, receiver):
    services.activity_transition(actor=Actor.system(), activity=activity, status="at_risk", note="Lagging")
    for delivery_id in webhooks.sweep():
        webhooks.deliver(delivery_id)
    assert {r.headers["X-Tracker-Event-Type"] for r in receiver.requests} >= {events.ACTIVITY_STATUS_CHANGED}
