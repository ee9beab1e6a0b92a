"""Cached pages (tracker/caching.py): the board, the timeline and the dashboard come from the cache until
anything changes, and never show what was true before a committed write. Transactional tests, so that
commits really happen and their on-commit hooks run as in production."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker import services
from tracker.models import Priority
from tracker.permissions import Actor
from tracker.workflow import Status

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/board/", "/timeline/", "/"]


@pytest.fixture(autouse=True)
def cached_pages(settings):
    settings.AGENDA_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _get(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_page_seen_again_costs_fewer_queries(signed_in, coordinator, activity, url):
    client = signed_in(coordinator)
    first, _ = _get(client, url)
    again, _ = _get(client, url)
    assert again < first


@pytest.mark.parametrize(("url", "mark"), [("/board/", "card card--in_progress"),
                                         ("/timeline/", "timeline__bar--in_progress")])
def test_a_committed_change_shows_at_once(signed_in, coordinator, coordinator_actor, activity, url, mark):
    client = signed_in(coordinator)
    _, before = _get(client, url)
    assert mark not in before
    services.activity_transition(actor=coordinator_actor, activity=activity, status=Status.IN_PROGRESS)
    _, after = _get(client, url)
    assert mark in after


def test_the_dashboard_counts_follow_a_change_and_an_admin_rename(signed_in, coordinator, coordinator_actor,
                                                                  activity):
    client = signed_in(coordinator)
    _get(client, "/")
    services.activity_transition(actor=coordinator_actor, activity=activity, status=Status.DONE)
    Priority.objects.filter(pk=activity.priority_id).update(title="Renamed without signals")  # not seen yet
    priority = Priority.objects.get(pk=activity.priority_id)
    priority.title = "Renamed in the admin"
    priority.save()
    _, page = _get(client, "/")
    assert "Renamed in the admin" in page
    assert "100%" in page  # the only activity is done


def test_each_person_sees_their_own_edit_controls_on_a_cached_board(signed_in, coordinator, editor, viewer, activity):
    move_url = f"/activities/{activity.pk}/move/"
    assert move_url in _get(signed_in(coordinator), "/board/")[1]
    assert move_url not in _get(signed_in(viewer), "/board/")[1]
    assert move_url in _get(signed_in(editor), "/board/")[1]  # the editor of the activity's body
    other = Actor.for_user(editor)
    assert other.write_scope != Actor.for_user(coordinator).write_scope != Actor.for_user(viewer).write_scope


def test_without_a_shared_cache_nothing_is_cached(settings, signed_in, coordinator, activity):
    settings.AGENDA_CACHE = False
    client = signed_in(coordinator)
    first, _ = _get(client, "/board/")
    again, _ = _get(client, "/board/")
    assert again == first


def test_a_bulk_sync_shows_at_once(signed_in, coordinator, coordinator_actor, priorities, body, activity):
    client = signed_in(coordinator)
    _get(client, "/board/")
    services.activities_bulk_upsert(actor=coordinator_actor, items=[
        {"external_source": "mod", "external_id": f"X-{n}", "priority": priorities[0], "title": f"Synced item {n}",
         "due_date": activity.due_date, "responsible_body": body} for n in range(3)
    ])
    _, page = _get(client, "/board/")
    assert "Synced item 2" in page


def test_one_write_moves_the_generation_on_once(coordinator_actor, activity):
    """A write saves several rows (activity, log, states); the cache hears of it once, at the commit."""
    from tracker import caching

    before = caching.generation()
    services.progress_report(actor=coordinator_actor, activity=activity, progress=30, note="one write")
    assert caching.generation() == before + 1


def test_a_rolled_back_savepoint_does_not_swallow_a_later_change(coordinator_actor, activity):
    from django.db import transaction

    from tracker import caching

    before = caching.generation()
    with transaction.atomic():
        try:
            with transaction.atomic():
                services.progress_report(actor=coordinator_actor, activity=activity, progress=30, note="undone")
                raise RuntimeError("roll back the savepoint")
        except RuntimeError:
            pass
        services.progress_report(actor=coordinator_actor, activity=activity, progress=40, note="kept")
    assert caching.generation() == before + 1
