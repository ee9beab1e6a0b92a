"""The timeline and the burn-up chart.

Each read costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from tracker import clock
from tracker.models import (
    Activity,
    DailySnapshot,
    Milestone,
    Presidency,
    Priority,
)
from tracker.selectors.board import mark_dates
from tracker.workflow import Status


@dataclass
class TimelineGroup:
    priority: Priority
    rows: list[Activity]
    count: int = 0  # every matching activity of the priority, drawn or not

    @property
    def hidden(self) -> int:
        return self.count - len(self.rows)


def timeline_rows(
    presidency: Presidency,
    activities: QuerySet[Activity],
    *,
    today: dt.date | None = None,
    limit: int | None = None,
    priority_ids: list[int] | None = None,
) -> list[TimelineGroup]:
    """The activities of `activities`, grouped by priority in the presidency's order, with their milestones
    (as `timeline_milestones`); at most `limit` rows per priority (earliest start first), with true counts.
    Four queries."""
    today = today or clock.today()
    priorities = list(presidency.priorities.all())
    if priority_ids is not None:
        priorities = [p for p in priorities if p.pk in priority_ids]
    scoped = activities.filter(priority_id__in=[p.pk for p in priorities]).order_by()
    counts = dict(scoped.values("priority_id").annotate(n=Count("id")).values_list("priority_id", "n"))
    drawn = scoped
    if limit is not None:
        # Only the first `limit` rows of each priority leave the database, however many it holds: ranked on
        # ids alone (an index-only range of activity_priority_figures), then fetched by id (issue 18).
        drawn = Activity.objects.filter(pk__in=scoped.annotate(
            group_rank=Window(
                RowNumber(), partition_by=[F("priority_id")],
                order_by=[F("start_date").asc(nulls_last=True), F("due_date").asc(), F("id").asc()],
            )
        ).filter(group_rank__lte=limit).values("pk"))
    rows = (
        drawn.select_related(None)
        .prefetch_related(None)
        .select_related("responsible_body", "owner")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("order", "id"), to_attr="timeline_milestones")
        )
    )
    by_priority: dict[int, list[Activity]] = {}
    for activity in rows.order_by(F("start_date").asc(nulls_last=True), "due_date", "id"):
        by_priority.setdefault(activity.priority_id, []).append(mark_dates(activity, today))
    return [TimelineGroup(priority=p, rows=by_priority.get(p.pk, []), count=counts.get(p.pk, 0)) for p in priorities]


@dataclass(frozen=True)
class BurnupPoint:
    day: dt.date
    planned: int  # activities (not cancelled) whose deadline has come by `day`
    done: int | None  # activities completed by `day`; None for days still ahead


@dataclass(frozen=True)
class BurnupSeries:
    start: dt.date
    end: dt.date
    today: dt.date
    scope: int  # every activity not cancelled
    points: list[BurnupPoint]


def burnup_series(presidency: Presidency, today: dt.date | None = None, step_days: int = 7) -> BurnupSeries:
    """Done versus planned through the presidency period, one point a week and one at the end. Deadlines
    before the period count from its start; deadlines and completions after it count at its end. Where a
    daily snapshot exists for a plotted day, its done figure is used: it is what the tracker recorded that
    day, reopenings included, where completion dates only tell the present story. Three queries.
    """
    today = today or clock.today()
    scoped = Activity.objects.filter(priority__presidency=presidency).order_by()
    due_counts = dict(
        scoped.exclude(status=Status.CANCELLED).values_list("due_date").annotate(n=Count("id")).values_list(
            "due_date", "n"
        )
    )
    done_counts = dict(
        scoped.filter(status=Status.DONE, completed_date__isnull=False)
        .values_list("completed_date")
        .annotate(n=Count("id"))
        .values_list("completed_date", "n")
    )
    start, end = presidency.period_start, presidency.period_end
    days = [start + dt.timedelta(days=offset) for offset in range(0, (end - start).days + 1, step_days)]
    if days[-1] != end:
        days.append(end)
    snapshot_done = dict(
        DailySnapshot.objects.filter(presidency=presidency, day__in=days, day__lt=today).values_list("day", "done")
    )
    points = []
    for day in days:
        last = day == end
        planned = sum(n for due, n in due_counts.items() if last or due <= day)
        if day > today:
            done = None
        elif day in snapshot_done and not last:
            done = snapshot_done[day]
        else:
            cutoff = today if last else day  # completions after the period show at its end
            done = sum(n for completed, n in done_counts.items() if completed <= cutoff)
        points.append(BurnupPoint(day=day, planned=planned, done=done))
    if start <= today < end:
        # A point for today, so the done line reaches the present.
        done_today = sum(n for completed, n in done_counts.items() if completed <= today)
        planned_today = sum(n for due, n in due_counts.items() if due <= today)
        points.append(BurnupPoint(day=today, planned=planned_today, done=done_today))
        points.sort(key=lambda point: point.day)
    scope = sum(due_counts.values())
    return BurnupSeries(start=start, end=end, today=today, scope=scope, points=points)
