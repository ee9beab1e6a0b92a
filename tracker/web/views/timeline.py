"""The timeline: a Gantt view of the presidency year, one row per activity grouped by priority."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker import selectors
from tracker.web.charts import TimelineScale
from tracker.web.common import presidency_on_screen, today, web_login_required
from tracker.web.forms import active_filter_count, board_filterset


@web_login_required
def timeline(request: HttpRequest) -> HttpResponse:
    day = today()
    presidency = presidency_on_screen(day)
    if presidency is None:
        return render(request, "tracker/empty.html", {"page": "timeline"})
    filterset = board_filterset(request.GET, presidency, selectors.activity_list(presidency=presidency))
    groups = selectors.timeline_rows(presidency, filterset.qs, today=day)
    scale = TimelineScale(presidency.period_start, presidency.period_end)
    for group in groups:
        for activity in group.rows:
            activity.bar = scale.span(activity.start_date, activity.due_date)
            activity.marks = [
                (milestone, scale.at(milestone.due_date))
                for milestone in activity.timeline_milestones
                if milestone.due_date and scale.contains(milestone.due_date)
            ]
    context = {
        "page": "timeline",
        "presidency": presidency,
        "groups": groups,
        "months": scale.months(),
        "today": day,
        "today_at": scale.at(day) if scale.contains(day) else None,
        "filter_form": filterset.form,
        "active_filters": active_filter_count(filterset),
        "filters": request.GET.urlencode(),
        "total": sum(len(group.rows) for group in groups),
    }
    return render(request, "tracker/timeline.html", context)
