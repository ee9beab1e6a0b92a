"""The demo's date and story: DEMO_TODAY pins "today" only in the demo, every page says so, the story is
loaded through the services and never in production; overdue lists say how late and put the latest first."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.test_production import ROOT, _production_env
from tracker import clock, demo_story, logtext
from tracker.models import Activity, ProgressUpdate
from tracker.seed import load_seed
from tracker.workflow import Status

DEMO_DAY = dt.date(2023, 7, 14)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DEMO_TODAY = DEMO_DAY
    return settings


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_demo_date_is_today_only_in_the_demo(settings):
    settings.DEMO_TODAY = DEMO_DAY
    settings.DEBUG = False
    assert clock.today() != DEMO_DAY  # not a demo: the setting is ignored
    settings.DEBUG = True
    assert clock.today() == DEMO_DAY


def test_production_refuses_to_start_with_a_demo_date():
    code = "import django; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_production_env(DEMO_TODAY="2023-07-14"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DEMO_TODAY is for the demo only" in result.stderr


def test_every_page_shows_the_demo_banner_in_both_languages(demo, coordinator, presidency, activity):
    client = _client(coordinator)
    for path in ("/", "/board/", "/timeline/", "/calendar/", "/reports/", f"/activities/{activity.pk}/"):
        for language, words in (("en", "14 July 2023"), ("ru", "14 июля 2023")):
            client.cookies["django_language"] = language
            html = client.get(path).content.decode()
            assert 'id="demo-banner"' in html and words in html, (path, language)


def test_no_banner_outside_the_demo(settings, coordinator, presidency):
    settings.DEMO_TODAY = DEMO_DAY  # set, but DEBUG is off
    assert 'id="demo-banner"' not in _client(coordinator).get("/").content.decode()


def test_the_demo_date_decides_what_is_overdue(demo, priorities, body):
    due_june = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Due in June",
                                         start_date=dt.date(2023, 2, 1), due_date=dt.date(2023, 6, 30))
    due_december = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Due in December",
                                             start_date=dt.date(2023, 2, 1), due_date=dt.date(2023, 12, 15))
    assert due_june.is_overdue() and not due_december.is_overdue()
    assert due_december.days_left() == (dt.date(2023, 12, 15) - DEMO_DAY).days


def test_overdue_lists_say_how_late_and_put_the_latest_first(demo, coordinator, priorities, body):
    for title, due in (("Slightly late", dt.date(2023, 7, 10)), ("Very late", dt.date(2023, 5, 31)),
                       ("One day late", dt.date(2023, 7, 13))):
        factories.ActivityFactory(priority=priorities[0], responsible_body=body, title=title,
                                  start_date=dt.date(2023, 2, 1), due_date=due)
    html = _client(coordinator).get("/").content.decode()
    section = html[html.index('id="overdue-title"'):]
    positions = [section.index(t) for t in ("Very late", "Slightly late", "One day late")]
    assert positions == sorted(positions)
    assert "44 days late" in section and "4 days late" in section and "1 day late" in section


def test_the_story_refuses_without_debug(settings, db):
    settings.DEBUG = False
    load_seed()
    with pytest.raises(CommandError, match="only loaded when DEBUG is on"):
        call_command("seed_demo_story")
    assert not ProgressUpdate.objects.filter(event=logtext.DEMO).exists()


def test_the_story_goes_through_the_services_once_and_is_labelled_as_demo_data(demo, coordinator):
    load_seed()
    call_command("seed_demo_story")
    minsk = Activity.objects.get(code="p4-institutes-heads-meeting-minsk")
    assert minsk.status == Status.DONE and minsk.version > 1 and minsk.milestones.filter(done=False).count() == 0
    assert minsk.completed_date == DEMO_DAY  # completed "today", the demo's today
    moved = Activity.objects.exclude(status=Status.PLANNED).count()
    assert moved >= 12
    demo_rows = ProgressUpdate.objects.filter(event=logtext.DEMO)
    assert demo_rows.count() == len(demo_story.STORY)
    # The log and the history read as written on the demo's day, not on the machine's.
    assert {timezone.localtime(row.created_at).date() for row in demo_rows} == {DEMO_DAY}
    assert timezone.localtime(minsk.history.latest("history_date").history_date).date() == DEMO_DAY
    assert Activity.objects.get(code="p1-eastern-europe-situation").is_overdue()  # something to tackle first
    versions = dict(Activity.objects.values_list("code", "version"))
    call_command("seed_demo_story")  # run again by every `make run`: changes nothing
    assert dict(Activity.objects.values_list("code", "version")) == versions
    client = _client(coordinator)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/activities/{minsk.pk}/").content.decode()
    assert "Демонстрационные данные: Встреча прошла в Минске" in page


def test_the_story_s_forecasts_run_from_the_start_of_the_presidency(demo, coordinator):
    """The seed's entries (0 %) are dated when the presidency began, so mid-July's 45 % reads as half a year's
    work, not a day's: the pace forecast was "done in two days, 22 weeks early" for every activity."""
    from tracker.selectors.schedule import compute_schedule

    load_seed()
    call_command("seed_demo_story")
    unity = Activity.objects.select_related("priority__presidency").get(code="p1-member-state-unity")
    presidency = unity.priority.presidency
    seeded = ProgressUpdate.objects.filter(event=logtext.SEEDED, activity=unity).get()
    assert timezone.localtime(seeded.created_at).date() == presidency.period_start
    forecast = compute_schedule(presidency, DEMO_DAY).activities[unity.pk]
    assert unity.progress == 45 and forecast.forecast > DEMO_DAY + dt.timedelta(days=90)
    assert forecast.late_days > 0  # 45 % after half a year, due in mid-December: late at this pace
