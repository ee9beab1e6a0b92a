"""Celery tasks: thin. Each loads what it is given by id and calls a function in tracker/webhooks.py or
tracker/jobs/; the rules live there, with their tests.

Every task may run twice (acks_late, redelivery after a worker dies, the sweep's hints): the functions
they call claim their work in the database first. The schedule is CELERY_BEAT_SCHEDULE in settings.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import socket
from collections.abc import Iterable
from typing import Any

from celery import Task, shared_task
from django.db import DatabaseError

from tracker import caching, notifications, webhooks
from tracker.jobs import digests, heartbeat, reminders, review_reminders, risk, schedules, snapshots

logger = logging.getLogger(__name__)

# Defaults for every task: redelivered if the worker dies, bounded retries on database hiccups.
_COMMON: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "max_retries": 3,
    "retry_backoff": 5,
    "retry_jitter": True,
}


def _task(*, soft: int, hard: int, **options: Any):
    return shared_task(**{**_COMMON, "soft_time_limit": soft, "time_limit": hard, **options})


def enqueue(task: Task, *args: Any, **options: Any) -> bool:
    """Publish a task, best-effort: a broker outage is logged and the periodic sweep does the work later.

    Used after commits, where an exception would turn a saved change into an error page. No publish
    retries, so a request never waits on a broker that is down.
    """
    try:
        task.apply_async(args=args, retry=False, **options)
        return True
    except Exception:
        if task.app.conf.task_always_eager:
            raise  # eager (tests): the task ran inline, so this is the task's own failure
        logger.warning("could not enqueue %s; the sweep will pick the work up", task.name, exc_info=True)
        return False


def announce_events(event_ids: list[str]) -> None:
    """The outbox's after-commit listener (registered in TrackerConfig.ready)."""
    ids = [str(event_id) for event_id in event_ids]
    for start in range(0, len(ids), 500):  # a bulk write's events in a few messages
        enqueue(webhooks_fan_out, ids[start:start + 500])
        enqueue(notifications_make, ids[start:start + 500])


# --- Webhooks -------------------------------------------------------------------------------------------

@_task(soft=30, hard=60)
def webhooks_fan_out(event_ids: Iterable[str]) -> int:
    delivery_ids = webhooks.fan_out(event_ids)
    for delivery_id in delivery_ids:
        enqueue(webhook_deliver, delivery_id)
    return len(delivery_ids)


@_task(soft=60, hard=90)
def webhook_deliver(delivery_id: int) -> str | None:
    return webhooks.deliver(delivery_id)


@_task(soft=50, hard=60)
def webhooks_sweep() -> int:
    due = webhooks.sweep()
    for delivery_id in due:
        enqueue(webhook_deliver, delivery_id)
    return len(due)


# --- Notifications (issue 13; tracker/notifications.py) ----------------------------------------------------

@_task(soft=60, hard=90)
def notifications_make(event_ids: Iterable[str]) -> int:
    return notifications.make(event_ids)


@_task(soft=50, hard=60)
def notifications_sweep() -> int:
    return notifications.sweep()


@_task(soft=900, hard=960)
def send_notification_digests() -> int:
    return notifications.send_digests()


# --- Agenda jobs ----------------------------------------------------------------------------------------

@_task(soft=300, hard=360)
def flag_at_risk_and_overdue() -> dict:
    result = risk.run()
    return {"flagged": result.flagged, "overdue": result.overdue}


@_task(soft=600, hard=660)
def send_deadline_reminders() -> int:
    return reminders.send_reminders()


@_task(soft=600, hard=660)
def send_review_reminders() -> int:
    return review_reminders.send_review_reminders()


@_task(soft=900, hard=960)
def send_weekly_digests() -> int:
    return digests.send_digests()


@_task(soft=120, hard=180)
def take_daily_snapshot() -> str | None:
    snapshot = snapshots.take()
    return str(snapshot) if snapshot else None


# --- The schedule, recomputed off the request (issue 18; tracker/selectors/schedule.recent_schedule) ------

@_task(soft=120, hard=180)
def refresh_schedule(presidency_id: int, day: str) -> bool:
    return schedules.refresh(presidency_id, dt.date.fromisoformat(day))


@_task(soft=300, hard=360)
def refresh_kept_schedules() -> int:
    return schedules.refresh_kept()


def queue_schedule_refresh() -> None:
    """The agenda's after-bump listener (registered in TrackerConfig.ready): one queued run per burst."""
    if caching.claim(schedules.KEPT) and not enqueue(refresh_kept_schedules):
        caching.release(schedules.KEPT)


# --- Housekeeping ---------------------------------------------------------------------------------------

@_task(soft=10, hard=20, bind=True, max_retries=0)
def worker_heartbeat(self: Task) -> None:
    heartbeat.beat(self.request.hostname or socket.gethostname())


@_task(soft=120, hard=180)
def purge_idempotency_keys() -> int | None:
    """Drop expired API idempotency keys, when the API's idempotency module is installed."""
    try:
        found = importlib.util.find_spec("tracker.api.idempotency") is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return None
    from tracker.api import idempotency

    return idempotency.purge_expired()


@_task(soft=600, hard=660)
def purge_integration_history() -> dict:
    """Events past EVENT_RETENTION_DAYS and finished deliveries past WEBHOOK_DELIVERY_RETENTION_DAYS."""
    return webhooks.purge()
