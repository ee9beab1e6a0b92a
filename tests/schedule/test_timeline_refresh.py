"""The timeline's forecast after a write (issue 18): the previous forecast, labelled "Forecast updating…",
while a Celery task recomputes the presidency's schedule; the fresh one once it ran, without the note. The
exact readers (activity page, API) never show a stale forecast. Transactional tests with the shared cache on,
so commits bump the agenda's generation as in production; the queue is recorded and its tasks run here."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from tests import factories
from tests.api.conftest import client_with_key
from tests.web.conftest import bulk_activities, count_queries
from tracker import caching, clock, services, tasks
from tracker.models import ApiClient, Dependency
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db(transaction=True)
D = dt.date
NOTE = "Forecast updating…"


#: A cache of this test alone (in memory): nothing outside it moves the agenda's generation between two steps.
OWN_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "timeline"}}


@pytest.fixture(autouse=True)
def cached_pages(settings, monkeypatch):
    settings.CACHES = OWN_CACHE
    settings.AGENDA_CACHE = True
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queue(monkeypatch):
    """The schedule's recomputes queued, as (task, args); nothing runs until the test runs it (`run`).
    Requested after the data fixtures: their writes' claims and entries are forgotten (a caught-up worker)."""
    cache.clear()
    queued: list[tuple] = []

    def record(task, *args, **options):
        if task in (tasks.refresh_schedule, tasks.refresh_kept_schedules):
            queued.append((task, args))
        return True  # webhooks and notifications: not these tests' business

    monkeypatch.setattr(tasks, "enqueue", record)
    return queued


def run(queue: list[tuple]) -> None:
    """The worker: run what was queued, as it would be (the tasks run in this process)."""
    while queue:
        task, args = queue.pop(0)
        task(*args)


def forecast_of(page: str, activity) -> str:
    """The forecast day the timeline row (or the activity page) shows: '' when there is none."""
    match = re.search(rf'data-activity="{activity.pk}".*?data-forecast="([^"]*)"', page, re.S) or re.search(
        r'data-forecast="([^"]*)"', page)
    return match.group(1)


def timeline(client, **extra) -> str:
    response = client.get("/timeline/", **extra)
    assert response.status_code == 200
    return response.content.decode()


def report(activity, progress: int) -> None:
    activity.refresh_from_db()
    services.progress_report(actor=Actor.system(), activity=activity, progress=progress, note="")


def test_after_a_write_the_timeline_shows_the_previous_forecast_until_the_recompute_ran(
        signed_in, viewer, activity, queue):
    client = signed_in(viewer)
    first = timeline(client)
    assert NOTE not in first and forecast_of(first, activity) == ""  # no progress yet: no forecast
    assert queue == []  # the first ever schedule is computed on the page

    report(activity, 50)  # 50 points in the 14 days since its start: 14 more days
    assert [task for task, _args in queue] == [tasks.refresh_kept_schedules]  # queued as the write committed
    stale = timeline(client)
    assert NOTE in stale and "(the forecasts shown were computed at" in stale
    assert forecast_of(stale, activity) == ""  # the previous forecast...
    assert "50%" in stale  # ...beside the rows as they are now
    note = re.search(r'<p class="notice forecast-updating"[^>]*>', stale).group(0)
    assert 'hx-get="/timeline/"' in note and 'hx-trigger="every 3s"' in note  # the fragment polls

    run(queue)
    fresh = timeline(client)
    assert NOTE not in fresh and "every 3s" not in fresh  # the polling stops with the fresh fragment
    assert forecast_of(fresh, activity) == "2023-03-29"


def test_the_polling_fragment_keeps_the_filters(signed_in, viewer, activity, queue):
    client = signed_in(viewer)
    timeline(client)
    report(activity, 50)
    page = timeline(client, data={"search": "Joint"}, HTTP_HX_REQUEST="true")
    assert 'hx-get="/timeline/?search=Joint"' in page


def test_a_burst_of_writes_queues_one_recompute(signed_in, viewer, activity, queue):
    client = signed_in(viewer)
    timeline(client)
    for progress in (10, 20, 30, 40):
        report(activity, progress)
    for _ in range(3):
        assert NOTE in timeline(client)
    assert [task for task, _args in queue] == [tasks.refresh_kept_schedules, tasks.refresh_schedule]
    run(queue)  # the write's task computed it; the page's finds it done
    assert NOTE not in timeline(client)
    report(activity, 60)  # the tasks released their claims as they started: the next write queues again
    assert [task for task, _args in queue] == [tasks.refresh_kept_schedules]


def test_the_first_ever_view_and_a_lost_cache_compute_on_the_page(signed_in, viewer, activity, queue):
    report(activity, 50)
    queue.clear()
    page = timeline(signed_in(viewer))
    assert NOTE not in page and forecast_of(page, activity) == "2023-03-29" and queue == []
    cache.clear()  # Redis restarted, or the kept schedule expired
    page = timeline(signed_in(viewer))
    assert NOTE not in page and forecast_of(page, activity) == "2023-03-29" and queue == []


def test_without_a_broker_the_page_computes_the_forecast_itself(signed_in, viewer, activity, monkeypatch):
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args, **options: False)  # the broker is down
    client = signed_in(viewer)
    timeline(client)
    report(activity, 50)
    page = timeline(client)
    assert NOTE not in page and forecast_of(page, activity) == "2023-03-29"


def test_a_recompute_no_worker_starts_is_done_by_the_page(signed_in, viewer, activity, queue, monkeypatch):
    client = signed_in(viewer)
    timeline(client)
    report(activity, 50)
    assert NOTE in timeline(client)  # queued...
    monkeypatch.setattr(caching, "REFRESH_WAIT_SECONDS", 0)  # ...and the worker has not come for too long
    page = timeline(client)
    assert NOTE not in page and forecast_of(page, activity) == "2023-03-29"


def test_with_tasks_run_at_once_the_forecast_is_fresh_at_once(signed_in, viewer, activity, monkeypatch):
    """As with Celery's eager mode (CELERY_TASK_ALWAYS_EAGER): the queued recompute has run when `enqueue`
    returns, so the page that queued it shows the fresh forecast."""
    def run_at_once(task, *args, **options):
        if task in (tasks.refresh_schedule, tasks.refresh_kept_schedules):
            task(*args)
        return True

    client = signed_in(viewer)
    timeline(client)
    cache.clear()  # the fixtures' writes left a queued (never run) recompute's claim
    timeline(client)
    monkeypatch.setattr(tasks, "enqueue", run_at_once)
    monkeypatch.setattr(caching, "after_bump_listeners", [])  # only the page queues it here
    report(activity, 50)
    page = timeline(client)
    assert NOTE not in page and forecast_of(page, activity) == "2023-03-29"


def test_the_activity_page_and_the_api_stay_exact_while_the_timeline_updates(signed_in, viewer, activity, queue):
    client = signed_in(viewer)
    timeline(client)
    report(activity, 50)
    assert NOTE in timeline(client)
    assert forecast_of(client.get(f"/activities/{activity.pk}/").content.decode(), activity) == "2023-03-29"
    api = client_with_key(factories.make_api_client("planning", ApiClient.Scope.READ)[1])
    body = api.get(f"/api/v1/forecasts/?presidency={activity.priority.presidency_id}").json()
    assert [row["forecast"] for row in body["activities"] if row["activity"] == activity.pk] == ["2023-03-29"]
    assert NOTE not in timeline(client)  # the exact read kept the current schedule: the timeline has it too


def test_the_note_in_russian(signed_in, viewer, activity, queue):
    client = signed_in(viewer)
    client.cookies["django_language"] = "ru"
    timeline(client)
    report(activity, 50)
    page = timeline(client)
    assert "Прогноз обновляется…" in page and NOTE not in page


def test_a_stale_timeline_costs_no_more_queries_with_more_rows(signed_in, viewer, priorities, body, other_body,
                                                              activity, queue, django_assert_max_num_queries):
    client = signed_in(viewer)

    def grow(n: int) -> None:
        acts = bulk_activities(priorities, [body, other_body], n)
        Dependency.objects.bulk_create([Dependency(predecessor=acts[i], successor=acts[i + 1])
                                        for i in range(len(acts) - 1)])

    def stale_render() -> int:
        timeline(client)
        report(activity, activity.progress + 1)  # a write: the next render is cold, its schedule stale
        with django_assert_max_num_queries(13):  # none of them the schedule's
            queries, response = count_queries(client, "/timeline/")
        assert NOTE in response.content.decode()
        return queries

    grow(10)
    few = stale_render()
    grow(100)
    assert stale_render() <= few


def _note(page: str) -> str:
    return re.search(r'<p class="notice forecast-updating"[^>]*>(.*?)</p>', page, re.S).group(1)


def test_the_note_gives_the_time_of_a_forecast_from_today_and_the_date_of_an_older_one(
        signed_in, viewer, activity, queue, monkeypatch):
    from django.utils import timezone

    client = signed_in(viewer)
    timeline(client)  # the forecast computed now
    year = str(timezone.localdate().year)
    report(activity, 50)
    assert year not in _note(timeline(client))  # computed today: the time says enough
    later = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the next day, the same kept forecast
    report(activity, 60)
    client = signed_in(viewer)  # yesterday's session has expired
    assert year in _note(timeline(client))  # the day it was computed, with the time
