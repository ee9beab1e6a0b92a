"""Reading activities: the board's filters, pages in a stable order, incremental sync, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tracker import services
from tracker.models import Activity
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def board(priorities, body, other_body):
    """Five activities that differ in every filtered attribute."""
    by, kz = factories.MemberStateFactory(code="BY"), factories.MemberStateFactory(code="KZ")
    make = factories.ActivityFactory
    rows = {
        "exercise": make(priority=priorities[2], responsible_body=body, kind="exercise", status="in_progress",
                         title="Joint exercises", description="Forces and assets", due_date=dt.date(2023, 9, 30),
                         lead_state=by),
        "dialogue": make(priority=priorities[1], responsible_body=other_body, kind="dialogue", status="planned",
                         title="Strategic dialogue with China", due_date=dt.date(2023, 11, 30)),
        "institutes": make(priority=priorities[0], responsible_body=other_body, kind="meeting", status="done",
                           progress=100, title="Heads of analytical institutes", due_date=dt.date(2023, 5, 31)),
        "standards": make(priority=priorities[3], responsible_body=body, kind="document", status="at_risk",
                          title="Standardisation of defence products", due_date=dt.date(2023, 4, 30)),
        "cancelled": make(priority=priorities[3], responsible_body=body, kind="other", status="cancelled",
                          title="Cancelled forum", due_date=dt.date(2023, 3, 31)),
    }
    rows["dialogue"].participating_states.set([kz])
    return rows


@pytest.mark.parametrize(("query", "expected"), [
    ("status=planned&status=at_risk", ["standards", "dialogue"]),
    ("kind=exercise", ["exercise"]),
    ("due_before=2023-05-31", ["cancelled", "standards", "institutes"]),
    ("due_after=2023-06-01", ["exercise", "dialogue"]),
    ("overdue=true", ["standards", "exercise", "dialogue"]),  # "today" is after 2023 for these tests
    ("overdue=false", ["cancelled", "institutes"]),
    ("search=china", ["dialogue"]),
    ("search=assets", ["exercise"]),
])
def test_list_filters_as_the_board_does(write_api, board, query, expected):
    response = write_api.get(f"/api/v1/activities/?{query}")
    assert _ids(response) == [board[name].pk for name in expected]


def test_filter_by_priority_body_and_state(write_api, board, priorities, body):
    assert _ids(write_api.get(f"/api/v1/activities/?priority={priorities[3].pk}")) == [
        board["cancelled"].pk, board["standards"].pk]
    assert set(_ids(write_api.get(f"/api/v1/activities/?body={body.pk}"))) == {
        board["exercise"].pk, board["standards"].pk, board["cancelled"].pk}
    by = board["exercise"].lead_state
    kz = board["dialogue"].participating_states.get()
    assert _ids(write_api.get(f"/api/v1/activities/?state={by.pk}")) == [board["exercise"].pk]
    assert _ids(write_api.get(f"/api/v1/activities/?state={kz.pk}")) == [board["dialogue"].pk]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("title", ["cancelled", "institutes", "exercise", "standards", "dialogue"]),
    ("-due_date", ["dialogue", "exercise", "institutes", "standards", "cancelled"]),
    ("priority", ["institutes", "dialogue", "exercise", "standards", "cancelled"]),
])
def test_ordering(write_api, board, ordering, expected):
    assert _ids(write_api.get(f"/api/v1/activities/?ordering={ordering}")) == [board[n].pk for n in expected]


def test_an_unknown_filter_value_is_a_clear_400(write_api, board):
    response = write_api.get("/api/v1/activities/?status=finished&due_before=soon")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "due_before"}


def test_pages_walk_every_row_once_even_when_many_share_the_sort_key(write_api, priorities, body):
    for _ in range(7):
        factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 6, 30))
    seen, url = [], "/api/v1/activities/?page_size=3&ordering=due_date"
    while url:
        page = write_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(Activity.objects.values_list("id", flat=True))
    assert len(seen) == len(set(seen)) == 7


def test_page_size_is_capped(write_api, priorities, body, settings):
    settings.API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        factories.ActivityFactory(priority=priorities[0], responsible_body=body)
    page = write_api.get("/api/v1/activities/?page_size=1000&count=true").json()
    assert (page["count"], len(page["results"])) == (3, 2)


def test_a_bad_page_size_is_refused(write_api, board):
    assert write_api.get("/api/v1/activities/?page_size=0").status_code == 400
    assert write_api.get("/api/v1/activities/?page_size=many").status_code == 400


def test_a_page_past_the_end_is_a_404_problem(write_api, board):
    response = write_api.get("/api/v1/activities/?page=99")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_incremental_sync_sees_every_change_since_the_last_sync(write_api, board, coordinator):
    actor = Actor.for_user(coordinator)
    synced_at = timezone.now()
    services.progress_report(actor=actor, activity=board["exercise"], progress=55, note="later")
    services.activity_transition(actor=actor, activity=board["dialogue"], status="in_progress")
    since = (synced_at - dt.timedelta(seconds=60)).isoformat()  # the documented overlap window
    response = write_api.get("/api/v1/activities/", {"updated_since": since, "ordering": "updated"})
    rows = response.json()["results"]
    changed = {(row["id"], row["version"]) for row in rows}
    assert {(board["exercise"].pk, 2), (board["dialogue"].pk, 2)} <= changed
    updated = [row["updated_at"] for row in rows]
    assert updated == sorted(updated)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_costs_the_same_number_of_queries_whatever_the_number_of_rows(
    write_api, priorities, body, rows, django_assert_max_num_queries
):
    states = [factories.MemberStateFactory(code=code) for code in ("AM", "BY", "KG")]
    for _ in range(rows):
        activity = factories.ActivityFactory(priority=priorities[0], responsible_body=body, lead_state=states[0])
        activity.participating_states.set(states)
    with django_assert_max_num_queries(3):  # the key, its first use this minute, the rows with their states
        response = write_api.get("/api/v1/activities/?page_size=100")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_list_by_session_costs_a_bounded_number_of_queries(
    coordinator_api, priorities, body, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        factories.ActivityFactory(priority=priorities[0], responsible_body=body)
    with django_assert_max_num_queries(7):
        assert len(coordinator_api.get("/api/v1/activities/?page_size=100").json()["results"]) == rows


def test_detail_carries_the_version_as_etag(write_api, activity):
    response = write_api.get(f"/api/v1/activities/{activity.pk}/")
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_detail_shows_derived_states(write_api, activity):
    body = write_api.get(f"/api/v1/activities/{activity.pk}/").json()
    today = timezone.localdate()
    assert body["overdue"] is (activity.due_date < today)
    assert body["days_left"] == (activity.due_date - today).days
    assert body["allowed_transitions"] == ["in_progress", "at_risk", "blocked", "done", "cancelled"]


def test_an_unknown_activity_is_a_404_problem(write_api, db):
    for url in ("/api/v1/activities/987654/", "/api/v1/activities/99999999999999999999999/"):
        response = write_api.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("states", [1, 8])
def test_detail_costs_a_fixed_number_of_queries(write_api, activity, states, django_assert_max_num_queries):
    activity.participating_states.set([factories.MemberStateFactory(code=f"S{n}") for n in range(states)])
    with django_assert_max_num_queries(3):  # the key, its first use this minute, the row with its states
        response = write_api.get(f"/api/v1/activities/{activity.pk}/")
    assert len(response.json()["participating_states"]) == states


def test_the_fast_representation_equals_the_declared_one(board):
    """The list's hand-built representation (for speed) says exactly what the declared serializer says, for
    activities with and without dates, states, codes and references."""
    from tracker.api.serializers import ActivitySerializer, represent_row
    from tracker.selectors import activity_records, activity_rows_with_states

    dated = board["exercise"]
    dated.participating_states.set([dated.lead_state, *factories.MemberStateFactory.create_batch(3)])
    Activity.objects.filter(pk=board["dialogue"].pk).update(start_date=None, code=None, external_source="mod",
                                                           external_id="X-1", completed_date=None)
    today = dt.date(2023, 6, 1)
    serializer = ActivitySerializer(context={"today": today})
    rows = {row["id"]: row for row in activity_rows_with_states(Activity.objects.all())}
    for activity in activity_records().order_by("id"):
        declared = serializer.generic_representation(activity)
        assert serializer.to_representation(activity) == declared
        row = rows[activity.pk]
        assert represent_row(row, row["presidency_id"], row["state_ids"], today) == declared


def test_api_json_keeps_non_ascii_text_and_compact_form(read_api, board):
    Activity.objects.filter(pk=board["exercise"].pk).update(title_ru="Совместные учения")
    response = read_api.get(f"/api/v1/activities/{board['exercise'].pk}/")
    assert response["Content-Type"] == "application/json"
    assert "Совместные учения".encode() in response.content
    assert b'"id":' in response.content and b'": ' not in response.content


def test_filtering_by_several_values_lists_each_activity_once_without_distinct(write_api, board, priorities,
                                                                               django_assert_max_num_queries):
    """The filters are the activity's own columns: no row can match twice, so the query needs no DISTINCT
    (which made PostgreSQL sort every column of every match; docs/performance.md)."""
    with django_assert_max_num_queries(7) as queries:
        ids = _ids(write_api.get("/api/v1/activities/?status=planned&status=in_progress&status=at_risk"
                                 f"&priority={priorities[1].pk}&priority={priorities[2].pk}&priority={priorities[3].pk}"))
    assert sorted(ids) == sorted({board["dialogue"].pk, board["exercise"].pk, board["standards"].pk})
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"]]
