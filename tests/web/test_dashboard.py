"""The dashboard answers the three questions: where each priority stands, what is late, what changed."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import bulk_activities, count_queries
from tracker import services
from tracker.models import Presidency
from tracker.permissions import Actor
from tracker.workflow import Status

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_presidency_its_slogan_and_how_far_into_the_year_we_are(
    signed_in, viewer, agenda, presidency
):
    html = signed_in(viewer).get("/").content.decode()
    assert "Presidency of Belarus, 2023" in html
    assert "Through solidarity and co-operation towards peace and security" in html
    # Today is after 2023: the whole year has passed.
    assert "The presidency period ended on 31 December 2023: 100% of the year has passed." in html


def test_each_priority_card_shows_progress_counts_overdue_and_the_roll_up_figures(signed_in, viewer, agenda):
    html = signed_in(viewer).get("/").content.decode()
    cards = html.split('<li class="priority-card">')[1:]
    assert len(cards) == 4
    first = cards[0]  # priority 1 holds one done activity
    assert "100% done (1 of 1)" in first and "Nothing overdue" in first
    third = cards[2]  # priority 3 holds the editor's open activity, deadline passed
    assert "0% done (0 of 1)" in third and "1 overdue" in third
    assert "Next deadline:</span>\n        none ahead" in third


def test_the_dashboard_lists_what_is_overdue_and_the_latest_updates(signed_in, viewer, agenda):
    services.activity_transition(
        actor=Actor.system(), activity=agenda["foreign"], status=Status.AT_RISK, note="Partner asked to postpone"
    )
    html = signed_in(viewer).get("/").content.decode()
    overdue = html[html.index('id="overdue-title"'): html.index('id="upcoming-title"')]
    assert "Joint exercises in Belarus" in overdue and "Dialogue with China" in overdue
    assert "Statement on nuclear rhetoric" not in overdue
    updates = html[html.index('id="updates-title"'):]
    assert "Status Planned → At risk" in updates and "Partner asked to postpone" in updates


def test_the_dashboard_draws_the_burn_up_chart_with_its_data_as_a_table(signed_in, viewer, agenda):
    html = signed_in(viewer).get("/").content.decode()
    assert '<svg class="burnup"' in html and 'role="img"' in html
    assert re.search(r'<polyline class="burnup__planned" points="[\d., ]+"', html)
    assert re.search(r'<polyline class="burnup__done" points="[\d., ]+"', html)
    assert "1 done; 3 planned to be done by now; 3 in all." in html
    assert "Chart data as a table" in html


def test_the_dashboard_costs_the_same_number_of_queries_for_a_few_or_many_activities(
    signed_in, viewer, priorities, body, other_body
):
    client = signed_in(viewer)
    bulk_activities(priorities, [body, other_body], 10)
    few, response = count_queries(client, "/")
    assert response.status_code == 200
    bulk_activities(priorities, [body, other_body], 500, prefix="More")
    many, _ = count_queries(client, "/")
    # 16, plus three for delivery confidence: priority ratings, overdue reviews, escalated and high risks, plus
    # one for the overdue list (its first ten ids, ranked inside the presidency, then their rows: issue 18).
    assert few == many <= 20


@pytest.mark.parametrize("page", ["/", "/board/", "/timeline/", "/calendar/", "/reports/", "/reports/year/"])
def test_without_a_presidency_the_pages_say_there_is_no_agenda_yet(signed_in, viewer, page):
    assert not Presidency.objects.exists()
    response = signed_in(viewer).get(page)
    assert response.status_code == 200 and "No agenda yet" in response.content.decode()
