"""The calendar page's month grid.

Each read costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tracker import clock
from tracker.models import (
    Activity,
    Milestone,
)
from tracker.selectors.board import mark_dates


@dataclass
class CalendarItem:
    kind: str  # "deadline", "milestone" or "start"
    day: dt.date
    activity: Activity
    milestone: Milestone | None = None

    @property
    def title(self) -> str:
        return self.milestone.display_title if self.milestone else self.activity.display_title

    @property
    def dated(self) -> Activity | Milestone:
        """Whose date this entry shows, for its basis."""
        return self.milestone or self.activity


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    is_today: bool
    items: list[CalendarItem]


@dataclass
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[CalendarDay]]

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=32)).replace(day=1)

    @property
    def item_count(self) -> int:
        return sum(len(day.items) for week in self.weeks for day in week if day.in_month)


#: Kinds of activity that happen on a date (a start worth a calendar entry), unlike documents or programmes.
EVENT_KINDS = frozenset({Activity.Kind.EXERCISE, Activity.Kind.MEETING, Activity.Kind.DIALOGUE})


def calendar_month(
    activities: QuerySet[Activity], year: int, month: int, *, today: dt.date | None = None
) -> CalendarMonth:
    """A month grid (weeks from Monday) with the deadlines, milestones and event starts of `activities`
    that fall on each day shown. Two queries."""
    import calendar

    today = today or clock.today()
    grid = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first_day, last_day = grid[0][0], grid[-1][-1]
    base = activities.select_related(None).prefetch_related(None).select_related("responsible_body").order_by()
    in_range = Q(due_date__range=(first_day, last_day)) | Q(
        start_date__range=(first_day, last_day), kind__in=list(EVENT_KINDS)
    )
    items: dict[dt.date, list[CalendarItem]] = {}
    for activity in base.filter(in_range).order_by("due_date", "id"):
        mark_dates(activity, today)
        if first_day <= activity.due_date <= last_day:
            items.setdefault(activity.due_date, []).append(CalendarItem("deadline", activity.due_date, activity))
        if (
            activity.kind in EVENT_KINDS and activity.start_date and activity.start_date != activity.due_date
            and first_day <= activity.start_date <= last_day
        ):
            items.setdefault(activity.start_date, []).append(CalendarItem("start", activity.start_date, activity))
    milestones = (
        Milestone.objects.filter(activity__in=base.values("pk"), due_date__range=(first_day, last_day))
        .select_related("activity")
        .order_by("due_date", "order", "id")
    )
    for milestone in milestones:
        items.setdefault(milestone.due_date, []).append(
            CalendarItem("milestone", milestone.due_date, milestone.activity, milestone)
        )
    weeks = [
        [CalendarDay(day=day, in_month=day.month == month, is_today=day == today, items=items.get(day, []))
         for day in week]
        for week in grid
    ]
    return CalendarMonth(year=year, month=month, weeks=weeks)
