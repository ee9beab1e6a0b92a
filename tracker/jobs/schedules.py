"""The schedule recomputed off the request (issue 18): what a stale timeline (`selectors/schedule.recent_schedule`)
and a committed write queue. The rule for fresh or stale is `caching.fresh_or_latest`."""

from __future__ import annotations

import datetime as dt

from tracker import caching, clock
from tracker.models import Presidency
from tracker.selectors.schedule import agenda_schedule

KEPT = "kept-schedules"  # the claim of the write's run (`tasks.queue_schedule_refresh`)


def refresh(presidency_id: int, today: dt.date, *, only_if_kept: bool = False) -> bool:
    """Compute and keep the current schedule of a presidency. `only_if_kept`: skip a schedule nobody has read
    lately (nothing kept). Whether it computed (or found it current)."""
    parts = (presidency_id, today.isoformat())
    caching.release("schedule", parts)  # a write from now on queues the next recompute
    if only_if_kept and not caching.kept("schedule", parts):
        return False
    presidency = Presidency.objects.filter(pk=presidency_id).first()
    if presidency is None:
        return False
    agenda_schedule(presidency, today)
    return True


def refresh_kept() -> int:
    """After a committed write: recompute today's schedule of every presidency someone has read lately."""
    caching.release(KEPT)  # a write from now on queues the next run
    today = clock.today()
    return sum(refresh(pk, today, only_if_kept=True)
               for pk in Presidency.objects.order_by("pk").values_list("pk", flat=True))
