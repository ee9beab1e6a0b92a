"""The events feed's order: each committed event is given a position, after its commit, one writer at a time.

Events are written with a time (created_at) but two transactions can commit in the other order than they
started, so a reader paging by time could pass an event that commits a moment later with an earlier
time. Positions are given only to events already committed, under one lock, each higher than any given
before: a reader who has seen position n will find every later event above n. Fan-out, the sweep and the
feed itself call `sequence()`, so the feed is current even when no worker runs.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max

from tracker.models import OutboxEvent

#: The advisory lock's key on PostgreSQL (SQLite's IMMEDIATE transactions hold the write lock already).
_LOCK_KEY = 16_0001


def sequence(*, limit: int = 5000) -> int:
    """Number the committed events that have no position yet, in the order they were written; return how
    many were numbered."""
    if not OutboxEvent.objects.filter(position__isnull=True).exists():
        return 0  # the usual case: one cheap read, no lock
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        top = OutboxEvent.objects.aggregate(top=Max("position"))["top"] or 0
        pending = list(
            OutboxEvent.objects.filter(position__isnull=True).order_by("created_at", "id").only("pk")[:limit]
        )
        for offset, event in enumerate(pending, start=1):
            event.position = top + offset
        OutboxEvent.objects.bulk_update(pending, ["position"], batch_size=500)
    return len(pending)
