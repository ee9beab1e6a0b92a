"""Read-only resources: presidencies, priorities with their roll-up, member states and bodies."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_priorities_carry_the_rollup_of_their_activities(read_api, priorities, body):
    make = factories.ActivityFactory
    p = priorities[0]
    make(priority=p, responsible_body=body, status="done", progress=100)
    make(priority=p, responsible_body=body, status="in_progress", progress=50, due_date=dt.date(2023, 3, 1))
    make(priority=p, responsible_body=body, status="cancelled", progress=0)
    make(priority=p, responsible_body=body, status="planned", progress=0, due_date=dt.date(2023, 12, 31))
    rows = read_api.get(f"/api/v1/priorities/?presidency={p.presidency_id}").json()["results"]
    assert [r["number"] for r in rows] == [1, 2, 3, 4]
    rollup = rows[0]["rollup"]
    assert rollup["total"] == 4
    assert rollup["counts"] == {"planned": 1, "in_progress": 1, "at_risk": 0, "blocked": 0, "done": 1,
                                "cancelled": 1, "handed_over": 0}
    assert rollup["overdue"] == 2  # this test runs after 2023: the two open ones are past due
    assert rollup["percent_done"] == 33  # 1 done of 3 not cancelled
    assert rollup["mean_progress"] == 50  # (100 + 50 + 0) / 3
    assert rows[1]["rollup"]["total"] == 0


@pytest.mark.parametrize("count", [3, 30])
def test_priorities_list_costs_a_fixed_number_of_queries(read_api, presidency, body, count,
                                                        django_assert_max_num_queries):
    other = factories.PresidencyFactory(code="csto-2024-test", period_start=dt.date(2024, 1, 1),
                                        period_end=dt.date(2024, 12, 31))
    priorities = [factories.PriorityFactory(presidency=p, number=n) for p in (presidency, other) for n in (1, 2)]
    for n in range(count):
        factories.ActivityFactory(priority=priorities[n % 4], responsible_body=body,
                                  due_date=priorities[n % 4].presidency.period_end)
    with django_assert_max_num_queries(6):
        rows = read_api.get("/api/v1/priorities/").json()["results"]
    assert sum(r["rollup"]["total"] for r in rows) == count


def test_a_presidency_shows_its_rollup(read_api, priorities, body):
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, status="done", progress=100)
    presidency = read_api.get(f"/api/v1/presidencies/{priorities[0].presidency_id}/").json()
    assert presidency["rollup"]["counts"]["done"] == 1
    assert presidency["period_start"] == "2023-01-01"


def test_presidencies_are_listed_newest_first(read_api, presidency):
    factories.PresidencyFactory(code="csto-2024-test", period_start=dt.date(2024, 1, 1),
                                period_end=dt.date(2024, 12, 31))
    codes = [p["code"] for p in read_api.get("/api/v1/presidencies/").json()["results"]]
    assert codes == ["csto-2024-test", "csto-2023-test"]


def test_a_bad_presidency_filter_is_a_400(read_api, db):
    assert read_api.get("/api/v1/priorities/?presidency=first").status_code == 400


def test_member_states_and_bodies(read_api, body):
    factories.MemberStateFactory(code="CN", name="China", is_member=False)
    factories.MemberStateFactory(code="AM", name="Armenia")
    states = read_api.get("/api/v1/member-states/").json()["results"]
    assert [(s["code"], s["is_member"]) for s in states] == [("AM", True), ("CN", False)]
    bodies = read_api.get("/api/v1/bodies/").json()["results"]
    assert [b["code"] for b in bodies] == ["by-mod"]
    assert read_api.get(f"/api/v1/bodies/{body.pk}/").json()["name"] == "Ministry of Defence of Belarus"


def test_reference_data_cannot_be_written_over_the_api(coordinator_api, body):
    assert coordinator_api.post("/api/v1/bodies/", {"code": "x", "name": "X"}, format="json").status_code == 405
    assert coordinator_api.delete(f"/api/v1/bodies/{body.pk}/").status_code == 405
