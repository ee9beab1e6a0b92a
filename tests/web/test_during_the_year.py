"""The pages as they read during the presidency year (the suite otherwise runs after it has ended).
The views read today's date from tracker.web.common.today; here the clock is set to mid-June 2023."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tracker.web import common
from tracker.web.views import board

pytestmark = pytest.mark.django_db

MID_JUNE = dt.date(2023, 6, 15)


@pytest.fixture
def mid_june(monkeypatch):
    for module in (common, board):  # common: the day of the presidency screens
        monkeypatch.setattr(module, "today", lambda: MID_JUNE)


def test_the_dashboard_says_how_far_into_the_year_and_lists_the_next_deadlines(
    signed_in, viewer, agenda, priorities, body, mid_june
):
    factories.ActivityFactory(priority=priorities[3], responsible_body=body, title="Heads of institutes meet",
                                     due_date=dt.date(2023, 6, 20))
    html = signed_in(viewer).get("/").content.decode()
    assert "45% of the presidency year has passed." in html
    upcoming = html[html.index('id="upcoming-title"'):html.index('id="burnup-heading"')]
    assert upcoming.index("Heads of institutes meet") < upcoming.index("Joint exercises in Belarus")
    assert "◷</span> due in 5 days" in upcoming  # due soon: said with an icon and words
    card = html.split('<li class="priority-card">')[4]
    assert "Heads of institutes meet" in card  # the priority's next deadline


def test_the_board_marks_a_card_due_soon_in_words(signed_in, viewer, priorities, body, mid_june):
    activity = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 6, 15))
    html = signed_in(viewer).get("/board/").content.decode()
    card = html[html.index(f'id="card-{activity.pk}"'):]
    assert "due today" in card[: card.index("</article>")]


def test_the_timeline_draws_a_today_line(signed_in, viewer, agenda, mid_june):
    html = signed_in(viewer).get("/timeline/").content.decode()
    assert '<span class="timeline__today" style="left: 45.205%"><span>Today</span></span>' in html
