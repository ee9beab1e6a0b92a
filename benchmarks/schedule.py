"""The schedule's benchmark (issue 17): the forecast for a whole agenda of 10,000 activities and 20,000 links.

Builds (once) a presidency of its own, `bench-schedule`, with ACTIVITIES activities, two finish-to-start links
each (to one and to three activities ahead, so chains run through the whole priority: no cycle) and five
progress updates each, then times `selectors.schedule.compute_schedule` uncached, and counts its queries.
Run by benchmarks/bench.py (case group `schedule`), or alone: `DJANGO_SETTINGS_MODULE=... python -c
"from benchmarks.schedule import measure; print(measure())"` after django.setup().
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

ACTIVITIES = 10_000
LINKS_PER_ACTIVITY = 2


def build(activities: int = ACTIVITIES) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from tracker.models import (
        Activity,
        Body,
        Channel,
        Dependency,
        MemberState,
        Presidency,
        Priority,
        ProgressUpdate,
    )

    presidency = Presidency.objects.filter(code="bench-schedule").first()
    if presidency is not None and Activity.objects.filter(priority__presidency=presidency).count() == activities:
        return presidency
    with transaction.atomic():
        if presidency is not None:
            Dependency.objects.filter(successor__priority__presidency=presidency).delete()
            ProgressUpdate.objects.filter(activity__priority__presidency=presidency).delete()
            Activity.objects.filter(priority__presidency=presidency).delete()
            presidency.priorities.all().delete()
            presidency.delete()
        state, _ = MemberState.objects.get_or_create(code="BS", defaults={"name": "Bench state"})
        body, _ = Body.objects.get_or_create(code="bench-schedule-body", defaults={"name": "Bench body"})
        presidency = Presidency.objects.create(code="bench-schedule", organisation="Bench", chair_state=state,
                                               period_start=dt.date(2031, 1, 1), period_end=dt.date(2031, 12, 31))
        priorities = [Priority.objects.create(presidency=presidency, number=n, title=f"Bench {n}")
                      for n in (1, 2, 3, 4)]
        rows = []
        for n in range(activities):
            start = dt.date(2031, 1, 1) + dt.timedelta(days=(n * 3) % 300)
            rows.append(Activity(priority=priorities[n % 4], title=f"Bench activity {n}", responsible_body=body,
                                 start_date=start, due_date=start + dt.timedelta(days=30 + n % 40),
                                 progress=(n * 7) % 90, status="in_progress" if n % 3 else "planned"))
        made = Activity.objects.bulk_create(rows, batch_size=2000)
        by_priority: dict[int, list[int]] = {}
        for activity in made:
            by_priority.setdefault(activity.priority_id, []).append(activity.pk)
        links = []
        for ids in by_priority.values():
            for i, pk in enumerate(ids):
                for step in (1, 3)[:LINKS_PER_ACTIVITY]:
                    if i + step < len(ids):
                        links.append(Dependency(predecessor_id=pk, successor_id=ids[i + step]))
                    elif i >= step:  # the last few link backwards to earlier ones: still acyclic (lower id first)
                        pass
        # Top up to exactly two links an activity with longer forward steps.
        for ids in by_priority.values():
            for i, pk in enumerate(ids):
                for step in (5, 7):
                    if len(links) >= activities * LINKS_PER_ACTIVITY:
                        break
                    if i + step < len(ids):
                        links.append(Dependency(predecessor_id=pk, successor_id=ids[i + step]))
        Dependency.objects.bulk_create(links[:activities * LINKS_PER_ACTIVITY], batch_size=5000)
        now = timezone.now()
        updates = [ProgressUpdate(activity=a, actor_name="bench", channel=Channel.SYSTEM,
                                  created_at=now - dt.timedelta(days=10 * (5 - k)), new_progress=a.progress * k // 5)
                   for a in made for k in range(1, 6)]
        ProgressUpdate.objects.bulk_create(updates, batch_size=5000)
    return presidency


def measure(activities: int = ACTIVITIES, repeat: int = 5) -> dict[str, Any]:
    """Median and best seconds of an uncached forecast of the whole agenda, with its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Dependency
    from tracker.selectors.schedule import compute_schedule

    presidency = build(activities)
    today = dt.date(2031, 6, 1)
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            schedule = compute_schedule(presidency, today)
            timings.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    links = Dependency.objects.filter(successor__priority__presidency=presidency).count()
    return {"activities": len(schedule.activities), "links": links, "median_s": statistics.median(timings),
            "best_s": min(timings), "worst_s": max(timings), "queries": queries,
            "forecast_late": sum(s.forecast_late for s in schedule.priorities.values()),
            "longest_chain": max(len(s.chain) for s in schedule.priorities.values())}
