"""The calendar month view and the private iCalendar feed, which a reset of its token revokes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.web.conftest import bulk_activities, count_queries
from tracker.models import StaffProfile

pytestmark = pytest.mark.django_db


def test_the_month_view_shows_deadlines_milestones_and_event_starts_on_their_days(signed_in, viewer, agenda):
    factories.MilestoneFactory(activity=agenda["foreign"], title="Concept circulated", due_date=dt.date(2023, 9, 15))
    html = signed_in(viewer).get("/calendar/?month=2023-09").content.decode()
    assert "September 2023" in html
    day = html[html.index('datetime="2023-09-30"'):]
    day = day[: day.index("</td>")]
    assert "Deadline" in day and "Joint exercises in Belarus" in day and "Overdue" in day
    day = html[html.index('datetime="2023-09-15"'):]
    assert "Milestone" in day[: day.index("</td>")] and "Concept circulated" in day[: day.index("</td>")]
    assert "2 entries this month." in html
    march = signed_in(viewer).get("/calendar/?month=2023-03").content.decode()
    day = march[march.index('datetime="2023-03-01"'):]
    assert "Starts" in day[: day.index("</td>")]  # the exercise begins on 1 March


def test_the_month_view_defaults_to_the_last_month_of_a_past_presidency_and_links_to_its_neighbours(
    signed_in, viewer, agenda
):
    html = signed_in(viewer).get("/calendar/").content.decode()
    assert "December 2023" in html
    assert 'href="/calendar/?month=2023-11"' in html and 'href="/calendar/?month=2024-01"' in html


def test_a_month_that_cannot_be_read_falls_back_to_the_default(signed_in, viewer, agenda):
    assert "December 2023" in signed_in(viewer).get("/calendar/?month=2023-13").content.decode()


def test_the_feed_link_is_private_to_each_person_and_created_on_demand(signed_in, agenda):
    user = factories.UserFactory(username="newcomer")
    assert not StaffProfile.objects.filter(user=user).exists()
    html = signed_in(user).get("/calendar/").content.decode()
    profile = StaffProfile.objects.get(user=user)
    assert f"http://testserver/calendar/feed/{profile.calendar_token}.ics" in html


def test_the_feed_lists_the_deadlines_as_icalendar_without_a_session(client, viewer, agenda):
    factories.MilestoneFactory(activity=agenda["own"], title="Final planning conference", due_date=dt.date(2023, 7, 14))
    token = viewer.staff_profile.calendar_token
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 4  # three deadlines and a milestone
    assert "SUMMARY:Deadline: Joint exercises in Belarus\r\n" in body
    assert "DTSTART;VALUE=DATE:20230930\r\nDTEND;VALUE=DATE:20231001\r\n" in body
    assert f"UID:activity-{agenda['own'].pk}-due@testserver" in body
    assert "SUMMARY:Milestone: Final planning conference" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_feed_speaks_the_persons_language_and_takes_filters(client, viewer, agenda, other_body):
    StaffProfile.objects.filter(user=viewer).update(language="ru")
    token = StaffProfile.objects.get(user=viewer).calendar_token
    body = client.get(f"/calendar/feed/{token}.ics?body={other_body.pk}").content.decode()
    assert body.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Срок: Диалог с Китаем" in body


def test_resetting_the_link_revokes_the_old_feed(signed_in, client, viewer, agenda):
    old = viewer.staff_profile.calendar_token
    browser = signed_in(viewer)
    response = browser.post("/calendar/feed/reset/", follow=True)
    new = StaffProfile.objects.get(user=viewer).calendar_token
    assert new != old
    assert "The old link no longer works" in response.content.decode()
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200


def test_the_feed_of_a_deactivated_person_is_gone(client, viewer, agenda):
    viewer.is_active = False
    viewer.save()
    assert client.get(f"/calendar/feed/{viewer.staff_profile.calendar_token}.ics").status_code == 404


def test_the_calendar_costs_the_same_number_of_queries_for_a_few_or_many_activities(
    signed_in, viewer, priorities, body
):
    client = signed_in(viewer)
    bulk_activities(priorities, [body], 8)
    few, _ = count_queries(client, "/calendar/?month=2023-06")
    bulk_activities(priorities, [body], 400, prefix="More")
    many, _ = count_queries(client, "/calendar/?month=2023-06")
    # 12, and the owner filter's and saved views' menus (issue 13).
    assert few == many <= 14
    token = viewer.staff_profile.calendar_token
    feed, response = count_queries(client, f"/calendar/feed/{token}.ics")
    assert response.status_code == 200 and feed <= 6


def test_each_feed_link_has_a_copy_button_run_from_the_static_script(signed_in, editor, agenda):
    html = signed_in(editor).get("/calendar/").content.decode()
    assert 'data-copy="feed-url"' in html and 'data-copy="body-feed-url"' in html
    assert re.search(r'<p class="feed__status" role="status"', html)
    assert "<script>" not in html  # the CSP allows no inline script: the behaviour lives in static/js/app.js
