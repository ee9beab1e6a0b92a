"""The schedule as read: forecasts from pace, propagated along links, waiting flags, the critical chain per
priority and the latest baseline's dates. Derived on read in a fixed number of queries (six, whatever the
number of activities and links), then cached with the agenda's generation (tracker/caching.py;
the timeline may show the previous one, labelled, while a task recomputes it: `recent_schedule`).

The rules are in tracker/schedule_graph.py; this module only loads the rows and hands them over. The values
it returns (and how the cache keeps them) are in tracker/selectors/schedule_values.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Value, Window
from django.db.models.functions import Least, RowNumber, TruncDate

from tracker import caching, clock
from tracker import schedule_graph as graph
from tracker.models import Activity, Baseline, BaselineItem, Dependency, Milestone, Presidency, ProgressUpdate
from tracker.selectors.schedule_values import (
    ActivitySchedule,
    AgendaSchedule,
    LinkRow,
    PrioritySchedule,
    localised,
)
from tracker.workflow import CLOSED_STATUSES, Status


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
    (tracker/jobs/schedules.py); the first ever is computed here. The rule is `caching.fresh_or_latest`."""
    today = today or clock.today()

    def refresh() -> bool:
        from tracker import tasks  # the tasks module imports the jobs, which read this module

        return tasks.enqueue(tasks.refresh_schedule, presidency.pk, today.isoformat())

    return caching.fresh_or_latest(
        "schedule", (presidency.pk, today.isoformat()), lambda: compute_schedule(presidency, today), refresh)


def compute_schedule(presidency: Presidency, today: dt.date) -> AgendaSchedule:
    """Six queries: activities, links (with their ends' titles), milestone predecessors, the last N progress
    updates of each activity, the latest baseline and its items."""
    window, floor = forecast_settings()
    # Only the columns of the covering index activity_priority_figures (PostgreSQL: an index-only scan of
    # the presidency's priorities, 2 ms instead of a 60-130 ms scan of the table at 100,000; issue 18).
    # Titles come with the links, for the activities a reader names.
    rows = list(
        Activity.objects.filter(priority__presidency=presidency).order_by().values_list(
            "id", "priority_id", "start_date", "due_date", "status", "progress", "completed_date",
        )
    )
    # The titles a reader names come with the links (what an activity waits on, the activity page's links);
    # a lone chain's title is read by the report that shows it (`chain_titles`).
    titles: dict[int, tuple[str, str]] = {}
    links: list[LinkRow] = []
    for (pk, before, after, kind, milestone, *names) in Dependency.objects.filter(
        successor__priority__presidency=presidency
    ).order_by("id").values_list("id", "predecessor_id", "successor_id", "kind", "predecessor_milestone_id",
                                 "predecessor__title", "predecessor__title_ru", "successor__title",
                                 "successor__title_ru"):
        links.append(LinkRow(pk, before, after, kind, milestone))
        titles[before], titles[after] = (names[0], names[1]), (names[2], names[3])
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
    for (pk, priority_id, start, due, status, progress, completed) in rows:
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
    for (pk, priority_id, start, due, *_rest) in rows:
        pace, projection = paces[pk], projections[pk]
        if pace.method in (graph.PACE, graph.STALLED) or projection.pushed:
            forecast = projection.finish
        elif pace.method == graph.FINISHED:
            forecast = pace.finish
        else:
            forecast = None  # not enough data (or closed): never a made-up date
        base = baseline_dates.get(pk, (None, None))
        item = ActivitySchedule(
            id=pk, priority_id=priority_id, due=due, start=start, method=pace.method,
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


def chain_titles(plan: AgendaSchedule) -> dict[int, list[str]]:
    """Each priority's critical chain as titles, first to last (the schedule report). A chain of one activity
    has no link to bring its title: one query for those."""
    missing = {node for summary in plan.priorities.values() for node in summary.chain if node not in plan.titles}
    found = {pk: (title, title_ru) for pk, title, title_ru in
             Activity.objects.filter(pk__in=missing).values_list("id", "title", "title_ru")} if missing else {}
    return {priority: [plan.title(node) if node in plan.titles else localised(found.get(node, ("", "")))
                       for node in summary.chain]
            for priority, summary in plan.priorities.items()}


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
