"""Every read the screens and the API need, each in a fixed number of queries whatever the number of rows.

The progress roll-up is defined here and only here: the dashboard, the reports, the API's priority figures
and the daily snapshots all call `priority_rollups` / `presidency_rollup`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from tracker import workflow
from tracker.models import Activity, Milestone, Presidency, Priority, ProgressUpdate
from tracker.workflow import Status


def current_presidency(today: dt.date | None = None) -> Presidency | None:
    """The presidency whose period contains today; else the latest one that has started; else the first."""
    today = today or timezone.localdate()
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


def priority_rollups(presidency: Presidency, today: dt.date | None = None) -> list[tuple[Priority, Rollup]]:
    """Each priority of the presidency with its roll-up, in order. Two queries."""
    today = today or timezone.localdate()
    rows = (
        Activity.objects.filter(priority__presidency=presidency)
        .order_by()
        .values("priority_id")
        .annotate(**_rollup_aggregates(today))
    )
    by_priority = {row["priority_id"]: _rollup_from_row(row) for row in rows}
    priorities = presidency.priorities.all()
    return [(priority, by_priority.get(priority.pk, Rollup())) for priority in priorities]


def rollups_by_priority(priority_ids: list[int], today: dt.date | None = None) -> dict[int, Rollup]:
    """Roll-ups of the given priorities (of any presidencies), by priority id. One query."""
    today = today or timezone.localdate()
    rows = (
        Activity.objects.filter(priority_id__in=priority_ids)
        .order_by()
        .values("priority_id")
        .annotate(**_rollup_aggregates(today))
    )
    return {row["priority_id"]: _rollup_from_row(row) for row in rows}


def presidency_rollup(presidency: Presidency, today: dt.date | None = None) -> Rollup:
    """The roll-up of every activity of the presidency. One query."""
    today = today or timezone.localdate()
    row = Activity.objects.filter(priority__presidency=presidency).aggregate(**_rollup_aggregates(today))
    return _rollup_from_row(row)


def rollups_by_body(presidency: Presidency, today: dt.date | None = None) -> list[tuple[int, Rollup]]:
    """(body id, roll-up) for every body responsible for activities of the presidency. One query."""
    today = today or timezone.localdate()
    rows = (
        Activity.objects.filter(priority__presidency=presidency)
        .order_by()
        .values("responsible_body_id")
        .annotate(**_rollup_aggregates(today))
    )
    return [(row["responsible_body_id"], _rollup_from_row(row)) for row in rows]


def activity_list(*, presidency: Presidency | None = None) -> QuerySet[Activity]:
    """Activities with what a card or a list row shows, in a fixed number of queries."""
    qs = Activity.objects.select_related(
        "priority", "priority__presidency", "responsible_body", "lead_state"
    ).prefetch_related("participating_states")
    if presidency is not None:
        qs = qs.filter(priority__presidency=presidency)
    return qs


def activity_detail(activity_id: int) -> Activity:
    """One activity with its milestones and states; raises Activity.DoesNotExist."""
    return (
        activity_list()
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("order", "id")))
        .get(pk=activity_id)
    )


def upcoming_deadlines(presidency: Presidency, today: dt.date | None = None, limit: int = 10) -> list[Activity]:
    """The next open deadlines from today on, soonest first."""
    today = today or timezone.localdate()
    return list(
        activity_list(presidency=presidency)
        .filter(due_date__gte=today, status__in=list(workflow.OPEN_STATUSES))
        .order_by("due_date", "id")[:limit]
    )


def overdue_activities(presidency: Presidency, today: dt.date | None = None) -> QuerySet[Activity]:
    today = today or timezone.localdate()
    return activity_list(presidency=presidency).filter(workflow.overdue_q(today)).order_by("due_date", "id")


def recent_updates(presidency: Presidency, limit: int = 10) -> list[ProgressUpdate]:
    return list(
        ProgressUpdate.objects.filter(activity__priority__presidency=presidency)
        .select_related("activity", "activity__priority")
        .order_by("-created_at", "-id")[:limit]
    )
