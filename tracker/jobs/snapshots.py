"""Daily snapshots of the roll-up, one row per presidency and day; the dashboard's burn-up chart reads them.

The figures come from selectors.priority_rollups / presidency_rollup, the one roll-up rule. Taking a
snapshot again the same day replaces that day's row.

Back-fill (manage.py backfill_snapshots) rebuilds a missing day from django-simple-history: each activity
as its latest historical record stood at the end of that day (deleted ones left out), fed to the same
roll-up functions with that day as "today". So a back-filled day shows what the tracker knew then: an
activity entered later does not count on earlier days. Activity dates alone are not used, because status
and progress on a past day cannot be inferred from them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from tracker import clock, selectors
from tracker.models import Activity, DailySnapshot, Presidency


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant of the next day, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def activities_as_of(day: dt.date) -> QuerySet:
    """Every activity's latest historical record at the end of `day`, without the deleted ones."""
    return (
        Activity.history.filter(history_date__lt=end_of_day(day))
        .latest_of_each()
        .exclude(history_type="-")
    )


def take(
    presidency: Presidency | None = None, day: dt.date | None = None, *, source: str = DailySnapshot.Source.LIVE,
    activities: QuerySet | None = None,
) -> DailySnapshot | None:
    """Record the roll-up of `presidency` (default: the current one) for `day` (default: today)."""
    day = day or clock.today()
    presidency = presidency or selectors.current_presidency(day)
    if presidency is None:
        return None
    total = selectors.presidency_rollup(presidency, day, activities=activities)
    per_priority = selectors.priority_rollups(presidency, day, activities=activities)
    snapshot, _ = DailySnapshot.objects.update_or_create(
        presidency=presidency, day=day,
        defaults={
            "total": total.total, "done": total.done, "cancelled": total.cancelled, "overdue": total.overdue,
            "percent_done": total.percent_done, "mean_progress": total.mean_progress,
            "counts": total.as_dict()["counts"],
            "priorities": [{"number": priority.number, **rollup.as_dict()} for priority, rollup in per_priority],
            "source": source, "taken_at": timezone.now(),
        },
    )
    return snapshot


def missing_days(presidency: Presidency, start: dt.date, end: dt.date) -> list[dt.date]:
    existing = set(
        DailySnapshot.objects.filter(presidency=presidency, day__gte=start, day__lte=end).values_list("day", flat=True)
    )
    days = ((start + dt.timedelta(days=n)) for n in range((end - start).days + 1))
    return [day for day in days if day not in existing]


def backfill(presidency: Presidency, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
    """Reconstruct the missing days from `start` (default: the period's start) to `end` (default: yesterday,
    or the period's end if earlier). Days that have a snapshot are left alone. Returns the days added."""
    yesterday = clock.today() - dt.timedelta(days=1)
    start = start or presidency.period_start
    end = end or min(yesterday, presidency.period_end)
    added = []
    for day in missing_days(presidency, start, end):
        take(presidency, day, source=DailySnapshot.Source.BACKFILL, activities=activities_as_of(day))
        added.append(day)
    return added
