"""The web board's reads: deadline marks, the kanban columns and lanes.

Each read costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from tracker import clock, workflow
from tracker.models import (
    Activity,
    Presidency,
    Priority,
)
from tracker.workflow import Status

# --- The web board's reads ------------------------------------------------------------------------------
# Each function below runs a fixed number of queries whatever the number of activities; the web views
# (tracker/web/) call them and only arrange the results on the page. `today` is injectable everywhere so
# that tests are deterministic.


def mark_dates(activity: Activity, today: dt.date) -> Activity:
    """Attach the derived date states a card shows (`overdue`, `due_soon`, `days_remaining`)."""
    activity.overdue = workflow.is_overdue(status=activity.status, due_date=activity.due_date, today=today)
    activity.due_soon = workflow.is_due_soon(
        status=activity.status, due_date=activity.due_date, today=today, within_days=settings.AGENDA_DUE_SOON_DAYS
    )
    activity.days_remaining = workflow.days_left(due_date=activity.due_date, today=today)
    activity.days_late = -activity.days_remaining if activity.overdue and activity.days_remaining else 0
    return activity


@dataclass
class BoardColumn:
    """One status within one priority's lane: how many activities it holds and the first of them."""

    status: str
    label: str
    count: int
    cards: list[Activity]

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


@dataclass
class BoardLane:
    priority: Priority
    columns: list[BoardColumn]

    @property
    def total(self) -> int:
        return sum(column.count for column in self.columns)


def board_columns(
    presidency: Presidency,
    activities: QuerySet[Activity],
    *,
    today: dt.date | None = None,
    limit: int | None = 25,
    priority_ids: list[int] | None = None,
) -> list[BoardLane]:
    """The kanban board: a lane per priority, a column per status, with true counts and at most `limit`
    cards per column (soonest deadline first). `activities` is the (filtered) set to show. Three queries."""
    today = today or clock.today()
    priorities = list(presidency.priorities.all())
    if priority_ids is not None:
        priorities = [p for p in priorities if p.pk in priority_ids]
    lane_ids = [p.pk for p in priorities]
    scoped = activities.filter(priority_id__in=lane_ids).order_by()
    counts = {
        (row["priority_id"], row["status"]): row["n"]
        for row in scoped.values("priority_id", "status").annotate(n=Count("id"))
    }
    drawn = scoped
    if limit is not None:
        # Only the first `limit` cards of each cell leave the database, however many the board holds. They are
        # ranked on ids alone (priority, status, due date: an index-only range of activity_priority_figures),
        # then fetched by id: ranking whole rows read every row of the presidency (issue 18).
        drawn = Activity.objects.filter(pk__in=scoped.annotate(
            cell_rank=Window(
                RowNumber(), partition_by=[F("priority_id"), F("status")], order_by=[F("due_date").asc(), F("id").asc()]
            )
        ).filter(cell_rank__lte=limit).values("pk"))
    cards_qs = (drawn.select_related(None).prefetch_related(None)
                .select_related("responsible_body", "lead_state", "owner"))
    cells: dict[tuple[int, str], list[Activity]] = {}
    for card in cards_qs.order_by("due_date", "id"):
        cells.setdefault((card.priority_id, card.status), []).append(mark_dates(card, today))
    return [
        BoardLane(
            priority=priority,
            columns=[
                BoardColumn(
                    status=status, label=str(label), count=counts.get((priority.pk, status), 0),
                    cards=cells.get((priority.pk, status), []),
                )
                for status, label in Status.choices
            ],
        )
        for priority in priorities
    ]


def next_deadline_by_priority(presidency: Presidency, today: dt.date | None = None) -> dict[int, Activity]:
    """For each priority, its open activity with the soonest deadline from today on. One query."""
    today = today or clock.today()
    rows = (
        Activity.objects.filter(
            priority__presidency=presidency, due_date__gte=today, status__in=list(workflow.OPEN_STATUSES)
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("priority_id")], order_by=[F("due_date").asc(), F("id")]))
        .filter(rank=1)
        .order_by()
    )
    return {activity.priority_id: mark_dates(activity, today) for activity in rows}
