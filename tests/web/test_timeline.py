"""The timeline: a Gantt view of the year, grouped by priority, with milestones and months."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.web.conftest import bulk_activities, count_queries

pytestmark = pytest.mark.django_db


def test_the_timeline_draws_a_bar_per_activity_from_start_to_deadline_grouped_by_priority(
    signed_in, viewer, agenda, priorities
):
    factories.MilestoneFactory(activity=agenda["own"], title="Final planning conference", due_date=dt.date(2023, 7, 1))
    html = signed_in(viewer).get("/timeline/").content.decode()
    for priority in priorities:
        assert f'id="tl-group-{priority.pk}"' in html
    group = html[html.index(f'id="tl-group-{priorities[2].pk}"'): html.index(f'id="tl-group-{priorities[3].pk}"')]
    assert "Joint exercises in Belarus" in group
    # 1 March to 30 September 2023: from day 59 to the end of day 272 of 365.
    bar = re.search(r'class="timeline__bar[^"]*" style="left: ([\d.]+)%; width: ([\d.]+)%"', group)
    assert (float(bar.group(1)), float(bar.group(2))) == (16.164, 58.631)
    assert "1 March 2023 – 30 September 2023" in group
    assert "Milestone: Final planning conference, 1 July 2023" in group
    assert html.count('class="timeline__month"') == 12


def test_the_timeline_says_when_today_is_outside_the_period_instead_of_drawing_a_line(signed_in, viewer, agenda):
    html = signed_in(viewer).get("/timeline/").content.decode()
    assert "is outside the presidency period, so no today line is drawn" in html
    assert "timeline__today" not in html


def test_the_timeline_takes_the_boards_filters(signed_in, viewer, agenda):
    html = signed_in(viewer).get("/timeline/?kind=dialogue").content.decode()
    assert "Dialogue with China" in html and "Joint exercises in Belarus" not in html


def test_the_timeline_costs_the_same_number_of_queries_for_a_few_or_many_activities(
    signed_in, viewer, priorities, body
):
    client = signed_in(viewer)
    bulk_activities(priorities, [body], 8)
    few, _ = count_queries(client, "/timeline/")
    bulk_activities(priorities, [body], 300, prefix="More")
    many, _ = count_queries(client, "/timeline/")
    # The timeline's 12, plus the owner filter's and saved views' menus (issue 13) and the schedule's four.
    assert few == many <= 18


def test_a_long_timeline_draws_the_first_rows_of_each_priority_and_offers_the_rest(
    signed_in, viewer, priorities, body, monkeypatch
):
    from tracker.web.views import timeline

    monkeypatch.setattr(timeline, "ROWS_PER_PRIORITY", 3)
    bulk_activities([priorities[0]], [body], 5, prefix="Long lane")
    client = signed_in(viewer)
    html = client.get("/timeline/").content.decode()
    assert html.count("Long lane") == 3
    more = re.search(r'<a href="(/timeline/\?[^"]*full=1[^"]*)">Show 2 more', html)
    assert more, "a link to the priority's remaining rows"
    full = client.get(more.group(1).replace("&amp;", "&")).content.decode()
    assert full.count("Long lane") == 5
    assert f'id="tl-group-{priorities[1].pk}"' not in full  # only the chosen priority
