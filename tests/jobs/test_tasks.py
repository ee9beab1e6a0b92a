"""The Celery side: every scheduled job has a task, tasks are safe to redeliver and bounded in time and
retries, and the thin tasks do their job when run (eagerly)."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from django.conf import settings
from django.utils import timezone

from presidency.celery import app
from tracker import tasks
from tracker.jobs import heartbeat
from tracker.models import DailySnapshot, WorkerHeartbeat

JOBS = {
    "worker-heartbeat", "webhooks-sweep", "flag-at-risk-and-overdue", "deadline-reminders", "weekly-digests",
    "daily-snapshot", "purge-idempotency-keys", "review-reminders", "integration-purge",
    "notifications-sweep", "notification-digests",  # issue 13 (tracker/notifications.py)
}


def test_every_scheduled_job_names_a_registered_task_that_expires_rather_than_piles_up():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert set(schedule) == JOBS
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0


def test_tasks_are_acknowledged_late_with_time_limits_and_bounded_retries():
    for name, task in app.tasks.items():
        if not name.startswith("tracker."):
            continue
        assert task.acks_late and task.reject_on_worker_lost, name
        assert 0 < task.soft_time_limit < task.time_limit <= 16 * 60, name
        assert task.max_retries is not None and task.max_retries <= 3, name


def test_the_outbox_hands_committed_events_to_celery():
    from tracker import events

    assert tasks.announce_events in events.after_commit_listeners


@pytest.mark.django_db
def test_heartbeat_task_records_the_worker_and_health_can_ask_for_it(eager_tasks):
    assert not heartbeat.is_recent()
    tasks.worker_heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1
    assert heartbeat.is_recent()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=10))
    assert not heartbeat.is_recent()


@pytest.mark.django_db
def test_snapshot_task_records_today(eager_tasks, presidency):
    tasks.take_daily_snapshot.delay()
    assert DailySnapshot.objects.get().day == timezone.localdate()


@pytest.mark.django_db
def test_idempotency_purge_runs_only_where_the_api_provides_it(eager_tasks):
    try:
        present = importlib.util.find_spec("tracker.api.idempotency") is not None
    except ModuleNotFoundError:
        present = False
    result = tasks.purge_idempotency_keys.delay().get()
    assert isinstance(result, int) if present else result is None


def test_enqueue_is_best_effort_when_the_broker_is_down():
    from tests.jobs.support import broker

    with broker("redis://127.0.0.1:9/0"):
        assert tasks.enqueue(tasks.worker_heartbeat) is False


@pytest.mark.django_db(transaction=True)
def test_the_events_of_one_commit_are_announced_together_without_rolled_back_ones(activity, editor_actor):
    from django.db import transaction

    from tracker import events, services
    from tracker.models import OutboxEvent

    heard: list[list[str]] = []
    events.after_commit_listeners.append(heard.append)
    try:
        with transaction.atomic():
            services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Minsk"})
            try:
                with transaction.atomic():
                    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
                    raise RuntimeError("this part is rolled back")
            except RuntimeError:
                pass
            services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
    finally:
        events.after_commit_listeners.remove(heard.append)
    assert len(heard) == 1
    assert sorted(heard[0]) == sorted(str(pk) for pk in OutboxEvent.objects.values_list("pk", flat=True))
    assert len(heard[0]) == 3  # the update, then the transition's update and status change
