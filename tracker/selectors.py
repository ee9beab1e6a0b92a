"""Every read the screens and the API need, each in a fixed number of queries whatever the number of rows.

The progress roll-up is defined here and only here: the dashboard, the reports, the API's priority figures
and the daily snapshots all call `priority_rollups` / `presidency_rollup`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from tracker import clock, logtext, workflow
from tracker.models import (
    Activity,
    DailySnapshot,
    MemberState,
    Milestone,
    Presidency,
    Priority,
    ProgressUpdate,
)
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


def activity_list(*, presidency: Presidency | None = None) -> QuerySet[Activity]:
    """Activities with what a card or a list row shows, in a fixed number of queries."""
    qs = Activity.objects.select_related(
        "priority", "priority__presidency", "responsible_body", "lead_state"
    ).prefetch_related("participating_states")
    if presidency is not None:
        qs = qs.filter(priority__presidency=presidency)
    return qs


def activity_records() -> QuerySet[Activity]:
    """Activities as the API represents them: references as ids, so only the priority (for its presidency's
    id) is joined and only the participating states' ids are fetched. Two queries for any page."""
    return Activity.objects.select_related("priority").prefetch_related(
        Prefetch("participating_states", queryset=MemberState.objects.only("id"))
    )


#: The activity's own columns, as `QuerySet.values()` names them: what the API's representation reads.
ACTIVITY_COLUMNS = (
    "id", "code", "priority_id", "title", "title_ru", "description", "description_ru", "kind", "status",
    "start_date", "due_date", "completed_date", "progress", "responsible_body_id", "lead_state_id", "location",
    "external_source", "external_id", "version", "created_at", "updated_at", "source_quote", "date_basis",
    "date_basis_note", "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at",
)


def activity_rows(activities: QuerySet[Activity]) -> QuerySet:
    """`activities` (filtered and ordered) as plain rows: ACTIVITY_COLUMNS, `presidency_id`, and whatever
    the order sorts by, so a page can be read and linked onward without building model instances."""
    ordered_by = [t.lstrip("-") for t in activities.query.order_by if isinstance(t, str)]
    extra = [path for path in ordered_by if path not in ACTIVITY_COLUMNS and path != "pk"]
    return activities.values(*ACTIVITY_COLUMNS, *extra, presidency_id=F("priority__presidency_id"))


def participating_state_ids(activity_ids: list[int]) -> dict[int, list[int]]:
    """Each activity's participating states' ids, in the states' own order (members first, by name). One
    query."""
    through = Activity.participating_states.through
    order = [f"{'-' if term.startswith('-') else ''}memberstate__{term.lstrip('-')}"
             for term in MemberState._meta.ordering]
    found: dict[int, list[int]] = {}
    rows = through.objects.filter(activity_id__in=activity_ids).order_by(*order, "memberstate_id")
    for activity_id, state_id in rows.values_list("activity_id", "memberstate_id"):
        found.setdefault(activity_id, []).append(state_id)
    return found


def activity_detail(activity_id: int) -> Activity:
    """One activity with its milestones and states; raises Activity.DoesNotExist."""
    return (
        activity_list()
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("order", "id")))
        .get(pk=activity_id)
    )


def upcoming_deadlines(presidency: Presidency, today: dt.date | None = None, limit: int = 10) -> list[Activity]:
    """The next open deadlines from today on, soonest first."""
    today = today or clock.today()
    return list(
        activity_list(presidency=presidency)
        .filter(due_date__gte=today, status__in=list(workflow.OPEN_STATUSES))
        .order_by("due_date", "id")[:limit]
    )


def overdue_activities(presidency: Presidency, today: dt.date | None = None) -> QuerySet[Activity]:
    """Overdue activities, the latest first (the earliest due date is the longest overdue)."""
    today = today or clock.today()
    return activity_list(presidency=presidency).filter(workflow.overdue_q(today)).order_by("due_date", "id")


def recent_updates(presidency: Presidency, limit: int = 10) -> list[ProgressUpdate]:
    return list(
        ProgressUpdate.objects.filter(activity__priority__presidency=presidency)
        .select_related("activity", "activity__priority")
        .order_by("-created_at", "-id")[:limit]
    )


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
    cards_qs = scoped.select_related(None).prefetch_related(None).select_related("responsible_body", "lead_state")
    if limit is not None:
        # Only the first `limit` cards of each cell leave the database, however many the board holds.
        cards_qs = cards_qs.annotate(
            cell_rank=Window(
                RowNumber(), partition_by=[F("priority_id"), F("status")], order_by=[F("due_date").asc(), F("id").asc()]
            )
        ).filter(cell_rank__lte=limit)
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
    rows = (
        scoped.select_related(None)
        .prefetch_related(None)
        .select_related("responsible_body")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("order", "id"), to_attr="timeline_milestones")
        )
    )
    if limit is not None:
        # Only the first `limit` rows of each priority leave the database, however many it holds.
        rows = rows.annotate(
            group_rank=Window(
                RowNumber(), partition_by=[F("priority_id")],
                order_by=[F("start_date").asc(nulls_last=True), F("due_date").asc(), F("id").asc()],
            )
        ).filter(group_rank__lte=limit)
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


def activity_log(activity: Activity, limit: int = 50) -> list[ProgressUpdate]:
    """The activity's progress updates, newest first. One query."""
    return list(activity.progress_updates.order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange]


_HISTORY_HIDDEN_FIELDS = frozenset({"version", "created_at", "completed_date", "participating_states"})


def activity_history(activity: Activity, limit: int = 20) -> list[HistoryEntry]:
    """The activity's field history, newest first: what changed, from what to what, by whom. At most five
    queries: the history rows, their participating states, and the names of the referenced rows."""
    from tracker.models import Body

    history_model = Activity.history.model
    records = list(
        Activity.history.filter(id=activity.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    m2m_model = history_model._meta.get_field("historicalactivity_participating_states").related_model
    states_by_record: dict[int, set[int]] = {}
    for history_id, state_id in m2m_model.objects.filter(history__in=[r.history_id for r in records]).values_list(
        "history_id", "memberstate_id"
    ):
        states_by_record.setdefault(history_id, set()).add(state_id)

    pairs = [(records[i], records[i + 1] if i + 1 < len(records) else None) for i in range(min(limit, len(records)))]
    raw: list[tuple] = []
    wanted: dict[str, set] = {"priority": set(), "responsible_body": set(), "lead_state": set()}
    state_ids: set[int] = set()
    for new, old in pairs:
        changes = []
        if old is not None:
            delta = new.diff_against(old, excluded_fields=list(_HISTORY_HIDDEN_FIELDS))
            for change in delta.changes:
                changes.append((change.field, change.old, change.new))
                if change.field in wanted:
                    wanted[change.field].update(v for v in (change.old, change.new) if v is not None)
            old_states, new_states = states_by_record.get(old.history_id, set()), states_by_record.get(
                new.history_id, set()
            )
            if old_states != new_states:
                changes.append(("participating_states", old_states, new_states))
                state_ids |= old_states | new_states
        raw.append((new, changes))

    names: dict[str, dict[int, str]] = {
        "priority": {p.pk: str(p) for p in Priority.objects.filter(pk__in=wanted["priority"])}
        if wanted["priority"] else {},
        "responsible_body": {b.pk: b.display_name for b in Body.objects.filter(pk__in=wanted["responsible_body"])}
        if wanted["responsible_body"] else {},
    }
    state_names = (
        {s.pk: s.display_name for s in MemberState.objects.filter(pk__in=wanted["lead_state"] | state_ids)}
        if wanted["lead_state"] or state_ids else {}
    )
    names["lead_state"] = state_names

    def show(field: str, value: object) -> str:
        if value is None or value == "":
            return "—"
        if field in names:
            return names[field].get(value, f"#{value}")
        if field == "participating_states":
            return ", ".join(sorted(state_names.get(pk, f"#{pk}") for pk in value)) or "—"
        model_field = Activity._meta.get_field(field)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    entries = []
    for record, changes in raw:
        if record.history_type == "~" and not changes:
            continue  # a save that changed no field shown here (a milestone ticked, a note): the log has it
        who = logtext.describe_reason(record.history_change_reason) or (
            record.history_user.get_username() if record.history_user else ""
        )
        entries.append(HistoryEntry(
            when=record.history_date,
            who=who,
            kind=record.history_type,
            changes=[
                FieldChange(
                    field=f, label=str(Activity._meta.get_field(f).verbose_name), old=show(f, o), new=show(f, n)
                )
                for f, o, n in changes
            ],
        ))
    return entries


def year_report(presidency: Presidency, today: dt.date | None = None) -> list[tuple[Priority, Rollup, list[Activity]]]:
    """Each priority with its roll-up and its activities (deadline order), for the printable report. Three
    queries (roll-ups, priorities, activities)."""
    today = today or clock.today()
    rollups = priority_rollups(presidency, today)
    by_priority: dict[int, list[Activity]] = {}
    activities = (
        Activity.objects.filter(priority__presidency=presidency)
        .select_related("responsible_body", "lead_state")
        .order_by("due_date", "id")
    )
    for activity in activities:
        by_priority.setdefault(activity.priority_id, []).append(mark_dates(activity, today))
    return [(priority, rollup, by_priority.get(priority.pk, [])) for priority, rollup in rollups]
