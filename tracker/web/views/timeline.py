"""The timeline: a Gantt view of the presidency year, one row per activity grouped by priority."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language

from tracker import caching, selectors
from tracker.filters import ActivityFilter
from tracker.models import Activity, Presidency
from tracker.selectors import schedule
from tracker.web.charts import TimelineScale
from tracker.web.common import for_presidency, web_login_required
from tracker.web.forms import active_filter_count, board_filterset, owner_key
from tracker.web.views import people

#: Rows drawn per priority (earliest start first); "Show N more" draws a priority's every row (`?full=1`).
#: 25, not 100: a cold render is template work proportional to the rows drawn (issue 18: 100 → 25).
ROWS_PER_PRIORITY = 25


@web_login_required
@for_presidency("timeline")
def timeline(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    filterset = board_filterset(request.GET, presidency, selectors.activity_list(presidency=presidency), request)
    filterset.is_valid()  # the filter bar shows its errors even when the rows come from the cache

    stale: list[bool] = []

    def results() -> str:
        context = _rows_context(presidency, filterset, day, full=request.GET.get("full") == "1")
        context.update(filters=request.GET.urlencode(), filter_query=request.GET)
        stale.append(context["forecast_stale"])
        return render_to_string("tracker/partials/timeline_results.html", context, request=request)

    scale = TimelineScale(presidency.period_start, presidency.period_end)
    context = {
        "page": "timeline",
        "presidency": presidency,
        "today": day,
        "today_at": scale.at(day) if scale.contains(day) else None,
        "filter_form": filterset.form,
        "active_filters": active_filter_count(filterset),
        "results": caching.cached(
            "timeline", (presidency.pk, day, request.GET.urlencode(), get_language(), owner_key(request, request.GET)),
            results, keep=lambda _html: not any(stale),  # drawn with the previous forecast: not kept
        ),
    }
    context.update(people.saved_views_context(request, "timeline"))  # the saved views menu (issue 13)
    return render(request, "tracker/timeline.html", context)


def _rows_context(presidency: Presidency, filterset: ActivityFilter, day: dt.date, *, full: bool) -> dict:
    """The rows, bars and marks of the timeline: the same for every viewer (cached by generation)."""
    chosen = getattr(filterset.form, "cleaned_data", {}).get("priority")  # a valid priority filter
    groups = selectors.timeline_rows(
        presidency, filterset.qs, today=day, limit=None if full else ROWS_PER_PRIORITY,
        priority_ids=[priority.pk for priority in chosen] if chosen else None,
    )
    scale = TimelineScale(presidency.period_start, presidency.period_end)
    # Forecasts, links, baseline, critical chain (issue 17). After a write, the previous schedule while a task
    # computes the current one (issue 18): the page says so and polls until it is fresh.
    forecast = schedule.recent_schedule(presidency, day)
    plan = forecast.value
    drawn: set[int] = set()
    for group in groups:
        group.schedule = plan.priorities.get(group.priority.pk)
        for activity in group.rows:
            drawn.add(activity.pk)
            schedule_marks(activity, plan, scale)
            activity.bar = scale.span(activity.start_date, activity.due_date)
            activity.marks = [
                (milestone, scale.at(milestone.due_date))
                for milestone in activity.timeline_milestones
                if milestone.due_date and scale.contains(milestone.due_date)
            ]
    return {
        "groups": groups,
        "months": scale.months(),
        "today": day,
        "today_at": scale.at(day) if scale.contains(day) else None,
        "total": sum(group.count for group in groups),
        "forecast_stale": not forecast.fresh,
        # The time alone when it was computed today, else the date too (a kept forecast lasts up to a day).
        "forecast_computed_label": formats.date_format(
            timezone.localtime(forecast.computed_at),
            "TIME_FORMAT" if timezone.localdate(forecast.computed_at) == timezone.localdate()
            else "SHORT_DATETIME_FORMAT"),
        # Arrows between drawn bars only: [predecessor, successor, kind, on the critical chain]
        "arrows": [[link.predecessor, link.successor, link.kind,
                    plan.activities[link.predecessor].critical and plan.activities[link.successor].critical]
                   for link in plan.links if link.predecessor in drawn and link.successor in drawn],
    }


def schedule_marks(activity: Activity, plan: schedule.AgendaSchedule, scale: TimelineScale) -> None:
    """The schedule's marks on a bar: its forecast, the latest baseline's shadow, waiting flags."""
    item = plan.activities.get(activity.pk)
    activity.sched = item
    activity.waiting = [{"id": node, "title": plan.title(node), "reason": reason}
                        for node, reason in (item.waiting if item else [])]
    activity.baseline_bar = (scale.span(item.baseline_start, item.baseline_due)
                             if item and item.baseline_due else None)
    activity.forecast_at = (scale.at(item.forecast) if item and item.forecast and item.late_days is not None
                            else None)
