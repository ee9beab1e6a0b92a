"""The workers' heartbeat: a task run every WORKER_HEARTBEAT_SECONDS records when each worker last ran it.

Because the task travels through the broker and is scheduled by beat, a recent heartbeat means broker,
beat and a worker all work. `/health/ready/` (a later issue) asks `is_recent()`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from tracker.models import WorkerHeartbeat


def beat(worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(worker=worker[:200], defaults={"seen_at": timezone.now()})
    return heartbeat


def last_seen() -> dt.datetime | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def is_recent(max_age_seconds: int | None = None) -> bool:
    """Whether some worker ran the heartbeat recently (by default within three heartbeat intervals)."""
    max_age = max_age_seconds or 3 * settings.WORKER_HEARTBEAT_SECONDS
    seen = last_seen()
    return seen is not None and timezone.now() - seen <= dt.timedelta(seconds=max_age)
