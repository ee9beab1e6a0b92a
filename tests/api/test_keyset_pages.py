"""Keyset pages: `next` is a cursor that starts after the last row seen, so walking a list costs the same
on every page and rows written meanwhile never make a walk skip or repeat a row."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tracker.models import Activity

pytestmark = pytest.mark.django_db


def _walk(client, url: str) -> list[int]:
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    return seen


@pytest.fixture
def rows(priorities, body):
    """Nine activities, three on each of three deadlines, titles out of step with both."""
    return [
        factories.ActivityFactory(priority=priorities[n % 4], responsible_body=body, title=f"Item {(n * 5) % 9}",
                                  due_date=dt.date(2023, 3 + n // 3, 1))
        for n in range(9)
    ]


@pytest.mark.parametrize("ordering", ["due_date", "-due_date", "title", "-title", "priority", "-priority",
                                      "updated", "-updated"])
def test_walking_by_next_gives_the_whole_list_in_order(write_api, rows, ordering):
    everything = [r["id"] for r in write_api.get(f"/api/v1/activities/?ordering={ordering}").json()["results"]]
    walked = _walk(write_api, f"/api/v1/activities/?ordering={ordering}&page_size=2")
    assert walked == everything and len(walked) == 9


def test_next_links_are_cursors_and_pages_count_only_when_asked(write_api, rows):
    first = write_api.get("/api/v1/activities/?page_size=4&ordering=due_date").json()
    query = parse_qs(urlsplit(first["next"]).query)
    assert "cursor" in query and "page" not in query
    second = write_api.get(first["next"]).json()
    assert second["count"] is first["count"] is None  # counting costs more than the page: only on request
    assert second["previous"] is None  # cursors only go forward; ?page=N still jumps anywhere
    counted = write_api.get("/api/v1/activities/?page_size=4&ordering=due_date&count=true").json()
    assert counted["count"] == write_api.get(counted["next"]).json()["count"] == 9  # count=true rides along
    assert write_api.get("/api/v1/activities/?page=1&page_size=4").json()["count"] == 9  # pages by number count


def test_a_bad_count_flag_is_a_400_naming_it(write_api, rows):
    response = write_api.get("/api/v1/activities/?count=yes")
    assert response.status_code == 400
    assert "count" in response.json()["errors"]


def test_a_row_added_before_the_cursor_shifts_nothing(write_api, rows, priorities, body):
    first = write_api.get("/api/v1/activities/?page_size=3&ordering=due_date").json()
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, start_date=dt.date(2023, 1, 1),
                              due_date=dt.date(2023, 1, 1))
    second = write_api.get(first["next"]).json()
    shown = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    expected = list(Activity.objects.filter(pk__in=[r.pk for r in rows]).order_by("due_date", "id")
                    .values_list("id", flat=True)[:6])
    assert shown == expected  # with page=2, the new first row would have pushed one row back into view


def test_cursors_work_on_the_other_lists_too(write_api, activity):
    for n in range(5):
        activity.progress_updates.create(actor_name="sync", channel="api", new_status=activity.status, new_progress=n)
    every = [r["id"] for r in write_api.get(f"/api/v1/activities/{activity.pk}/updates/").json()["results"]]
    assert _walk(write_api, f"/api/v1/activities/{activity.pk}/updates/?page_size=2") == every


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WzEsMl0", "WyJzb29uIiwxXQ", "WzEuNSwxXQ",
                                    "WyIyMDIzLTAxLTAxIiw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"])
def test_a_bad_cursor_is_a_clear_400(write_api, rows, cursor):
    response = write_api.get(f"/api/v1/activities/?ordering=due_date&cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_cursor_with_a_page_number_is_refused(write_api, rows):
    first = write_api.get("/api/v1/activities/?page_size=2").json()
    response = write_api.get(first["next"] + "&page=2")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_deep_cursor_page_costs_what_the_first_costs(write_api, rows, django_assert_max_num_queries):
    url = "/api/v1/activities/?page_size=1&ordering=due_date"
    for _ in range(7):
        url = write_api.get(url).json()["next"]
    with django_assert_max_num_queries(6):
        response = write_api.get(url)
    assert len(response.json()["results"]) == 1
