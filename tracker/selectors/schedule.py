"""The schedule as read: forecasts from pace, propagated along links, waiting flags, the critical chain per
priority and the latest baseline's dates. Derived on read in a fixed number of queries (six, whatever the
number of activities and links), then cached with the agenda's generation (tracker/caching.py).

The rules are in tracker/schedule_graph.py; this module only loads the rows and hands them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Value, Window
from django.db.models.functions import Least, RowNumber, TruncDate
from django.utils.translation import get_language

from tracker import caching, clock
from tracker import schedule_graph as graph
from tracker.models import Activity, Baseline, BaselineItem, Dependency, Milestone, Presidency, ProgressUpdate
from tracker.workflow import CLOSED_STATUSES, Status


@dataclass
class ActivitySchedule:
    id: int
    priority_id: int
    body_id: int
    due: dt.date
    start: dt.date | None
    method: str  # schedule_graph.PACE, STALLED, NO_DATA, FINISHED, CLOSED
    forecast: dt.date | None  # the shown forecast: own pace, pushed by predecessors; None: not enough data
    pushed: bool = False
    rate: float | None = None
    waiting: list[tuple[int, str]] = field(default_factory=list)  # (predecessor node, reason)
    critical: bool = False
    baseline_start: dt.date | None = None
    baseline_due: dt.date | None = None

    @property
    def late_days(self) -> int | None:
        """Days the forecast lies past the due date (negative: early); None without a forecast."""
        if self.forecast is None or self.method in (graph.FINISHED, graph.CLOSED):
            return None
        return (self.forecast - self.due).days

    @property
    def slipped_days(self) -> int | None:
        """Days the due date moved since the latest baseline; None when the baseline did not hold it."""
        return None if self.baseline_due is None else (self.due - self.baseline_due).days


@dataclass
class PrioritySchedule:
    priority_id: int
    latest_finish: dt.date | None = None
    forecast_late: int = 0
    no_data: int = 0
    chain: list[int] = field(default_factory=list)


@dataclass
class LinkRow:
    id: int
    predecessor: int
    successor: int
    kind: str
    milestone: int | None


@dataclass
class AgendaSchedule:
    activities: Mapping[int, ActivitySchedule]  # a dict when computed; columns read lazily when cached
    priorities: dict[int, PrioritySchedule]
    links: list[LinkRow]
    titles: Mapping[int, tuple[str, str]]  # node (activity id, or minus a milestone's) -> (title, title_ru)
    baseline: tuple[int, int] | None = None  # (id, number) of the latest baseline

    def title(self, node: int) -> str:
        english, russian = self.titles.get(node, ("", ""))
        return russian if russian and (get_language() or "").startswith("ru") else english

    def links_of(self, activity_id: int) -> tuple[list[LinkRow], list[LinkRow]]:
        """(links it waits on, links waiting on it)."""
        before = [link for link in self.links if link.successor == activity_id]
        after = [link for link in self.links if link.predecessor == activity_id]
        return before, after

    def __reduce__(self) -> tuple:
        # Cached as columns of plain values (ids, day numbers, strings), not 8,400 objects with five dates
        # each: a fifth of the bytes, and read back in milliseconds instead of about 0.1 s, most of it the
        # garbage collector walking the new objects (issue 18; a stale timeline reads it on every render).
        links = tuple(zip(*((link.id, link.predecessor, link.successor, link.kind, link.milestone)
                            for link in self.links), strict=True)) or ((), (), (), (), ())
        return (_unpack, (_ActivityColumns.pack(self.activities), self.priorities, links,
                          _TitleColumns.pack(self.titles), self.baseline))


def _unpack(activities: tuple, priorities: dict, links: tuple, titles: tuple,
            baseline: tuple[int, int] | None) -> AgendaSchedule:
    return AgendaSchedule(activities=_ActivityColumns(activities), priorities=priorities,
                          links=[LinkRow(*row) for row in zip(*links, strict=True)], titles=_TitleColumns(titles),
                          baseline=baseline)


def _day(number: int) -> dt.date | None:
    return dt.date.fromordinal(number) if number else None


def _number(day: dt.date | None) -> int:
    return day.toordinal() if day else 0


class _ActivityColumns(Mapping[int, ActivitySchedule]):
    """A cached schedule's activities, made into ActivitySchedule one by one as they are read (a timeline
    reads a hundred of the presidency's thousands)."""

    def __init__(self, columns: tuple) -> None:
        self.columns = columns
        self._index = {pk: i for i, pk in enumerate(columns[0])}
        self._made: dict[int, ActivitySchedule] = {}

    @staticmethod
    def pack(activities: Mapping[int, ActivitySchedule]) -> tuple:
        if isinstance(activities, _ActivityColumns):
            return activities.columns
        items = list(activities.values())
        return (
            [a.id for a in items], [a.priority_id for a in items], [a.body_id for a in items],
            [_number(a.due) for a in items], [_number(a.start) for a in items], [a.method for a in items],
            [_number(a.forecast) for a in items], [a.rate for a in items],
            {a.id: a.waiting for a in items if a.waiting}, {a.id for a in items if a.pushed},
            {a.id for a in items if a.critical},
            [_number(a.baseline_start) for a in items], [_number(a.baseline_due) for a in items],
        )

    def __getitem__(self, pk: int) -> ActivitySchedule:
        made = self._made.get(pk)
        if made is None:
            i = self._index[pk]
            (_ids, priority, body, due, start, method, forecast, rate, waiting, pushed, critical, base_start,
             base_due) = self.columns
            made = self._made[pk] = ActivitySchedule(
                id=pk, priority_id=priority[i], body_id=body[i], due=_day(due[i]), start=_day(start[i]),
                method=method[i], forecast=_day(forecast[i]), pushed=pk in pushed, rate=rate[i],
                waiting=list(waiting.get(pk, ())), critical=pk in critical, baseline_start=_day(base_start[i]),
                baseline_due=_day(base_due[i]),
            )
        return made

    def __contains__(self, pk: object) -> bool:
        return pk in self._index

    def __iter__(self) -> Iterator[int]:
        return iter(self.columns[0])

    def __len__(self) -> int:
        return len(self.columns[0])


class _TitleColumns(Mapping[int, tuple[str, str]]):
    """A cached schedule's titles (node -> (title, title_ru)), kept as three columns."""

    def __init__(self, columns: tuple) -> None:
        self.columns = columns
        self._index = {node: i for i, node in enumerate(columns[0])}

    @staticmethod
    def pack(titles: Mapping[int, tuple[str, str]]) -> tuple:
        if isinstance(titles, _TitleColumns):
            return titles.columns
        return list(titles), [pair[0] for pair in titles.values()], [pair[1] for pair in titles.values()]

    def __getitem__(self, node: int) -> tuple[str, str]:
        i = self._index[node]
        return self.columns[1][i], self.columns[2][i]

    def __contains__(self, node: object) -> bool:
        return node in self._index

    def __iter__(self) -> Iterator[int]:
        return iter(self.columns[0])

    def __len__(self) -> int:
        return len(self.columns[0])


def forecast_settings() -> tuple[int, float]:
    return settings.SCHEDULE_FORECAST_UPDATES, settings.SCHEDULE_FORECAST_FLOOR_HUNDREDTHS / 100


def agenda_schedule(presidency: Presidency, today: dt.date | None = None) -> AgendaSchedule:
    """The whole presidency's schedule, exact: cached with the agenda's generation, computed here after a
    write. What the API, the activity page, the report and the jobs read."""
    today = today or clock.today()
    return caching.cached_keeping_latest(
        "schedule", (presidency.pk, today.isoformat()), lambda: compute_schedule(presidency, today))


def recent_schedule(presidency: Presidency, today: dt.date | None = None) -> caching.Read[AgendaSchedule]:
    """The schedule for a page that may show the previous forecast, labelled, for the seconds a recompute
    takes (the timeline): after a write, the last computed schedule while a task computes the current one
    (`refresh_schedule`); the first ever is computed here. The rule is `caching.fresh_or_latest`."""
    today = today or clock.today()

    def refresh() -> bool:
        from tracker import tasks  # the tasks module imports the jobs, which read this module

        return tasks.enqueue(tasks.refresh_schedule, presidency.pk, today.isoformat())

    return caching.fresh_or_latest(
        "schedule", (presidency.pk, today.isoformat()), lambda: compute_schedule(presidency, today), refresh)


def refresh_schedule(presidency_id: int, today: dt.date, *, only_if_kept: bool = False) -> bool:
    """Compute and keep the current schedule of a presidency (the task queued by a stale read or a write).
    `only_if_kept`: skip a schedule nobody has read lately (nothing kept). Whether it computed."""
    parts = (presidency_id, today.isoformat())
    caching.release("schedule", parts)  # a write from now on queues the next recompute
    if only_if_kept and not caching.kept("schedule", parts):
        return False
    presidency = Presidency.objects.filter(pk=presidency_id).first()
    if presidency is None:
        return False
    agenda_schedule(presidency, today)
    return True


def compute_schedule(presidency: Presidency, today: dt.date) -> AgendaSchedule:
    """Six queries: activities, links, milestone predecessors, the last N progress updates of each activity,
    the latest baseline and its items."""
    window, floor = forecast_settings()
    rows = list(
        Activity.objects.filter(priority__presidency=presidency).order_by().values_list(
            "id", "priority_id", "responsible_body_id", "start_date", "due_date", "status", "progress",
            "completed_date", "title", "title_ru",
        )
    )
    links = [
        LinkRow(*row) for row in Dependency.objects.filter(successor__priority__presidency=presidency)
        .order_by("id").values_list("id", "predecessor_id", "successor_id", "kind", "predecessor_milestone_id")
    ]
    milestone_ids = {link.milestone for link in links if link.milestone}
    milestones = list(
        Milestone.objects.filter(pk__in=milestone_ids).values_list("id", "activity_id", "due_date", "done", "title",
                                                                 "title_ru")
    ) if milestone_ids else []
    # The pace needs only the oldest of each activity's last N updates and whether there were several: one row
    # per activity leaves the database (the rank that equals min(N, the activity's count)), its day as a date.
    history: dict[int, list[tuple[dt.date, int]]] = {}
    updates = (
        # The log's own presidency column (its index), and no ordering: the model's newest-first order was a
        # second sort of every update of the presidency (issue 18).
        ProgressUpdate.objects.filter(presidency=presidency, new_progress__isnull=False)
        .order_by()
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("activity_id")],
                        order_by=[F("created_at").desc(), F("id").desc()]),
            total=Window(Count("id"), partition_by=[F("activity_id")]),
            day=TruncDate("created_at"),
        )
        .filter(rank=Least(F("total"), Value(window)))
        .values_list("activity_id", "day", "new_progress", "total")
    )
    for activity_id, day, new_progress, total in updates:
        # schedule_graph.pace_forecast reads the window's first point and its length: the same point twice
        # stands for "the oldest of several".
        history[activity_id] = [(day, new_progress)] * min(total, 2)
    baseline = Baseline.objects.filter(presidency=presidency).order_by("-number").values_list("id", "number").first()
    baseline_dates: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    if baseline:
        baseline_dates = {
            activity_id: (start, due) for activity_id, start, due in BaselineItem.objects.filter(
                baseline_id=baseline[0], milestone__isnull=True, activity__isnull=False,
            ).values_list("activity_id", "start_date", "due_date")
        }

    nodes: dict[int, graph.Node] = {}
    paces: dict[int, graph.Pace] = {}
    titles: dict[int, tuple[str, str]] = {}
    for (pk, priority_id, _body, start, due, status, progress, completed, title, title_ru) in rows:
        closed = status in CLOSED_STATUSES
        done_on = (completed or due) if status == Status.DONE else None
        pace = graph.pace_forecast(
            progress=progress, history=history.get(pk, ()), today=today, start=start or presidency.period_start,
            done_on=done_on, closed=closed and done_on is None, window=window, floor=floor,
        )
        paces[pk] = pace
        nodes[pk] = graph.Node(id=pk, due=due, start=start, forecast=pace.finish if pace.method in (
            graph.PACE, graph.STALLED) else None, closed=closed and done_on is None, done_on=done_on,
            group=priority_id)
        titles[pk] = (title, title_ru)
    graph_links: list[graph.Link] = []
    for m_id, activity_id, due, done, title, title_ru in milestones:
        if activity_id not in nodes:
            continue
        owner = nodes[activity_id]
        nodes[-m_id] = graph.Node(id=-m_id, due=due or owner.due, start=due or owner.due, closed=False,
                                  done_on=(due or owner.due) if done else None)
        titles[-m_id] = (title, title_ru)
        # The milestone sits inside its activity: whatever its activity waits on comes before it too.
        graph_links.append(graph.Link(activity_id, -m_id, graph.BLOCKS))
    for link in links:
        graph_links.append(graph.Link(-link.milestone if link.milestone else link.predecessor, link.successor,
                                      link.kind))
    projections = graph.propagate(nodes, graph_links, today=today)

    activities: dict[int, ActivitySchedule] = {}
    priorities: dict[int, PrioritySchedule] = {}
    for (pk, priority_id, body_id, start, due, *_rest) in rows:
        pace, projection = paces[pk], projections[pk]
        if pace.method in (graph.PACE, graph.STALLED) or projection.pushed:
            forecast = projection.finish
        elif pace.method == graph.FINISHED:
            forecast = pace.finish
        else:
            forecast = None  # not enough data (or closed): never a made-up date
        base = baseline_dates.get(pk, (None, None))
        item = ActivitySchedule(
            id=pk, priority_id=priority_id, body_id=body_id, due=due, start=start, method=pace.method,
            forecast=forecast, pushed=projection.pushed, rate=pace.rate, waiting=projection.waiting,
            baseline_start=base[0], baseline_due=base[1],
        )
        activities[pk] = item
        summary = priorities.setdefault(priority_id, PrioritySchedule(priority_id=priority_id))
        if item.forecast is not None and pace.method not in (graph.FINISHED, graph.CLOSED):
            if summary.latest_finish is None or item.forecast > summary.latest_finish:
                summary.latest_finish = item.forecast
            if item.late_days and item.late_days > 0:
                summary.forecast_late += 1
        elif pace.method == graph.NO_DATA:
            summary.no_data += 1
    for priority_id, summary in priorities.items():
        summary.chain = graph.critical_chain(nodes, projections, priority_id)
        if len(summary.chain) > 1:  # a chain of dependent activities; a lone activity is no chain to highlight
            for node in summary.chain:
                activities[node].critical = True
    return AgendaSchedule(activities=activities, priorities=priorities, links=links, titles=titles,
                          baseline=baseline)


# --- Baselines ---------------------------------------------------------------------------------------------

def baselines(presidency: Presidency) -> list[Baseline]:
    return list(Baseline.objects.filter(presidency=presidency).order_by("-number"))


@dataclass
class SlipRow:
    key: int
    label: str
    compared: int = 0  # activities in both
    slipped: int = 0  # due later than in the reference
    days: int = 0  # total days slipped (later minus earlier, only the slipped)
    worst: int = 0


def slippage(presidency: Presidency, reference: Baseline, against: Baseline | None = None) -> dict[str, list[SlipRow]]:
    """Slippage of due dates from `reference` to `against` (another baseline, or the current plan when None),
    per priority and per responsible body. Four queries."""
    before = dict(BaselineItem.objects.filter(baseline=reference, milestone__isnull=True, activity__isnull=False)
                  .values_list("activity_id", "due_date"))
    if against is None:
        after = dict(Activity.objects.filter(priority__presidency=presidency).values_list("id", "due_date"))
    else:
        after = dict(BaselineItem.objects.filter(baseline=against, milestone__isnull=True, activity__isnull=False)
                     .values_list("activity_id", "due_date"))
    meta = {
        pk: (priority, f"{number}. {title}", body, body_name)
        for pk, priority, number, title, body, body_name in Activity.objects.filter(pk__in=list(before)).values_list(
            "id", "priority_id", "priority__number", "priority__title", "responsible_body_id", "responsible_body__name")
    }
    per_priority: dict[int, SlipRow] = {}
    per_body: dict[int, SlipRow] = {}
    for activity_id, due_before in before.items():
        due_after = after.get(activity_id)
        if activity_id not in meta or due_before is None or due_after is None:
            continue
        priority, priority_label, body, body_label = meta[activity_id]
        moved = (due_after - due_before).days
        for table, key, label in ((per_priority, priority, priority_label), (per_body, body, body_label)):
            row = table.setdefault(key, SlipRow(key=key, label=label))
            row.compared += 1
            if moved > 0:
                row.slipped += 1
                row.days += moved
                row.worst = max(row.worst, moved)
    return {
        "priorities": sorted(per_priority.values(), key=lambda r: r.label),
        "bodies": sorted(per_body.values(), key=lambda r: r.label),
    }


def waiting_activities(today: dt.date | None = None) -> dict[int, dict[str, str]]:
    """Every open activity flagged "waiting on ...", across presidencies with links: its id -> the first
    predecessor it waits on (title, title_ru, reason). What the at-risk rule reads (tracker/jobs/risk.py)."""
    today = today or clock.today()
    result: dict[int, dict[str, str]] = {}
    linked = Presidency.objects.filter(priorities__activities__predecessor_links__isnull=False).distinct()
    for presidency in linked:
        schedule = agenda_schedule(presidency, today)
        for pk, item in schedule.activities.items():
            if item.waiting:
                node, reason = item.waiting[0]
                title, title_ru = schedule.titles.get(node, ("", ""))
                result[pk] = {"title": title, "title_ru": title_ru, "reason": reason}
    return result
