"""The dashboard: where each priority stands, what is late or about to be, and what changed."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from tracker import caching, selectors
from tracker.models import Presidency
from tracker.selectors import delivery as selectors_delivery
from tracker.web import charts
from tracker.web.common import for_presidency, web_login_required

DEADLINES_SHOWN = 10
UPDATES_SHOWN = 10


@web_login_required
@for_presidency("dashboard")
def dashboard(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    figures = caching.cached(
        "dashboard", (presidency.pk, day, get_language()), lambda: _figures(presidency, day)
    )
    context = {
        "page": "dashboard",
        "presidency": presidency,
        "today": day,
        "elapsed": presidency.year_elapsed_percent(day),
        "period_over": day > presidency.period_end,
        **figures,
    }
    return render(request, "tracker/dashboard.html", context)


def _figures(presidency: Presidency, day: dt.date) -> dict:
    """Everything the dashboard shows that is the same for every viewer (cached by generation)."""
    next_by_priority = selectors.next_deadline_by_priority(presidency, day)
    priority_cards = [
        {"priority": priority, "rollup": rollup, "next": next_by_priority.get(priority.pk)}
        for priority, rollup in selectors.priority_rollups(presidency, day)
    ]
    overdue = selectors.overdue_activities(presidency, day, limit=DEADLINES_SHOWN)
    ratings = selectors_delivery.ratings_for_priorities([card["priority"].pk for card in priority_cards])
    for card in priority_cards:
        card["confidence"] = ratings.get(card["priority"].pk)
    return {
        # The secretariat's rhythm (tracker/selectors/delivery.py): three queries, whatever the rows.
        "overdue_reviews": selectors_delivery.overdue_reviews(presidency, day),
        "attention_risks": selectors_delivery.raid_for_attention(presidency),
        "rollup": selectors.presidency_rollup(presidency, day),
        "priority_cards": priority_cards,
        "upcoming": [selectors.mark_dates(a, day) for a in selectors.upcoming_deadlines(presidency, day,
                                                                                       DEADLINES_SHOWN)],
        "overdue": [selectors.mark_dates(a, day) for a in overdue[:DEADLINES_SHOWN]],
        "updates": selectors.recent_updates(presidency, UPDATES_SHOWN),
        "burnup": charts.burnup_chart(selectors.burnup_series(presidency, day)),
    }
