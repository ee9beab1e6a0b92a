"""The progress roll-up, defined here and only here: the dashboard, the reports, the API's priority figures
and the daily snapshots all call `priority_rollups` / `presidency_rollup`.

Each read costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from tracker import clock, workflow
from tracker.models import (
    Activity,
    Presidency,
    Priority,
)
from tracker.selectors.board import mark_dates
from tracker.workflow import Status


def current_presidency(today: dt.date | None = None) -> Presidency | None:
    """The presidency whose period contains today; else the latest one that has started; else the first."""
    today = today or clock.today()
    presidencies = Presidency.objects.select_related("chair_state")
    return (
        presidencies.filter(period_start__lte=today, period_end__gte=today).first()
        or presidencies.filter(period_start__lte=today).order_by("-period_start").first()
        or presidencies.order_by("period_start").first()
    )


@dataclass(frozen=True)
class Rollup:
    """Progress figures for a group of activities (a priority, or a whole presidency)."""

    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    progress_sum: int = 0  # over activities that are not cancelled

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cancelled(self) -> int:
        return self.counts.get(Status.CANCELLED, 0)

    @property
    def done(self) -> int:
        return self.counts.get(Status.DONE, 0)

    @property
    def active_total(self) -> int:
        """Activities that count towards progress: all but the cancelled ones."""
        return self.total - self.cancelled

    @property
    def percent_done(self) -> int:
        """Done activities as a share of those not cancelled, rounded down."""
        return (100 * self.done) // self.active_total if self.active_total else 0

    @property
    def mean_progress(self) -> int:
        """Mean progress of the activities not cancelled, rounded down."""
        return self.progress_sum // self.active_total if self.active_total else 0

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "counts": {status: self.count(status) for status in Status.values},
            "overdue": self.overdue,
            "percent_done": self.percent_done,
            "mean_progress": self.mean_progress,
        }

    def __add__(self, other: Rollup) -> Rollup:
        counts = {s: self.count(s) + other.count(s) for s in Status.values}
        return Rollup(counts=counts, overdue=self.overdue + other.overdue,
                      progress_sum=self.progress_sum + other.progress_sum)


def _rollup_aggregates(today: dt.date) -> dict:
    aggregates = {f"n_{status}": Count("id", filter=Q(status=status)) for status in Status.values}
    aggregates["n_overdue"] = Count("id", filter=workflow.overdue_q(today))
    aggregates["progress_sum"] = Sum("progress", filter=~Q(status=Status.CANCELLED), default=0)
    return aggregates


def _rollup_from_row(row: dict) -> Rollup:
    counts = {status: row[f"n_{status}"] for status in Status.values}
    return Rollup(counts=counts, overdue=row["n_overdue"], progress_sum=row["progress_sum"] or 0)


def priority_rollups(
    presidency: Presidency, today: dt.date | None = None, *, activities: QuerySet | None = None
) -> list[tuple[Priority, Rollup]]:
    """Each priority of the presidency with its roll-up, in order. Two queries.

    `activities` replaces the live rows with another queryset of the same fields, such as the activities'
    historical records as of a past day (the snapshots' back-fill), so that the rule stays this one.
    """
    today = today or clock.today()
    rows = (
        (activities if activities is not None else Activity.objects.all())
        .filter(priority__presidency=presidency)
        .order_by()
        .values("priority_id")
        .annotate(**_rollup_aggregates(today))
    )
    by_priority = {row["priority_id"]: _rollup_from_row(row) for row in rows}
    priorities = presidency.priorities.all()
    return [(priority, by_priority.get(priority.pk, Rollup())) for priority in priorities]


def rollups_by_priority(priority_ids: list[int], today: dt.date | None = None) -> dict[int, Rollup]:
    """Roll-ups of the given priorities (of any presidencies), by priority id. One query."""
    today = today or clock.today()
    rows = (
        Activity.objects.filter(priority_id__in=priority_ids)
        .order_by()
        .values("priority_id")
        .annotate(**_rollup_aggregates(today))
    )
    return {row["priority_id"]: _rollup_from_row(row) for row in rows}


def presidency_rollup(
    presidency: Presidency, today: dt.date | None = None, *, activities: QuerySet | None = None
) -> Rollup:
    """The roll-up of every activity of the presidency. One query. `activities`: as in priority_rollups."""
    today = today or clock.today()
    source = activities if activities is not None else Activity.objects.all()
    row = source.filter(priority__presidency=presidency).aggregate(**_rollup_aggregates(today))
    return _rollup_from_row(row)


def rollups_by_body(presidency: Presidency, today: dt.date | None = None) -> list[tuple[int, Rollup]]:
    """(body id, roll-up) for every body responsible for activities of the presidency. One query."""
    today = today or clock.today()
    rows = (
        Activity.objects.filter(priority__presidency=presidency)
        .order_by()
        .values("responsible_body_id")
        .annotate(**_rollup_aggregates(today))
    )
    return [(row["responsible_body_id"], _rollup_from_row(row)) for row in rows]


def year_report(presidency: Presidency, today: dt.date | None = None) -> list[tuple[Priority, Rollup, list[Activity]]]:
    """Each priority with its roll-up and its activities (deadline order), for the printable report. Three
    queries (roll-ups, priorities, activities)."""
    today = today or clock.today()
    rollups = priority_rollups(presidency, today)
    by_priority: dict[int, list[Activity]] = {}
    activities = (
        Activity.objects.filter(priority__presidency=presidency)
        .select_related("responsible_body", "lead_state", "owner")
        .order_by("due_date", "id")
    )
    for activity in activities:
        by_priority.setdefault(activity.priority_id, []).append(mark_dates(activity, today))
    return [(priority, rollup, by_priority.get(priority.pk, [])) for priority, rollup in rollups]
