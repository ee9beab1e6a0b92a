"""Writes by codes (issue 16): another ministry's system names the priority, body and states as it knows
them; reads keep ids and add the codes."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.models import Activity


def _by_codes(presidency, **extra):
    return {"priority": f"{presidency.code}:2", "title": "Staff talks", "kind": "dialogue",
            "start_date": "2023-02-01", "due_date": "2023-06-30", "responsible_body": "by-mod",
            "lead_state": "by", "participating_states": ["AM", "BY"], **extra}


@pytest.fixture
def states(db):
    return {code: factories.MemberStateFactory(code=code) for code in ("AM", "BY")}


def test_create_by_codes_and_read_codes_back(write_api, presidency, priorities, body, states):
    response = write_api.post("/api/v1/activities/", _by_codes(presidency), format="json")
    assert response.status_code == 201, response.content
    created = Activity.objects.get()
    assert (created.priority, created.responsible_body, created.lead_state) == (priorities[1], body, states["BY"])
    answer = response.json()
    assert answer["priority"] == priorities[1].pk and answer["responsible_body"] == body.pk  # ids stay
    codes = dict(answer["codes"])
    assert set(codes.pop("participating_states")) == {"AM", "BY"}  # in the states' own order, as the ids
    assert codes == {"presidency": presidency.code, "priority": f"{presidency.code}:2",
                     "responsible_body": "by-mod", "lead_state": "BY"}
    listed = write_api.get("/api/v1/activities/").json()["results"][0]
    assert listed["codes"] == answer["codes"]


def test_upsert_and_bulk_by_codes(write_api, presidency, priorities, body, states):
    data = _by_codes(presidency, priority="3")  # the number alone: one presidency has it
    response = write_api.put("/api/v1/activities/by-ref/mod/EX-1/", data, format="json")
    assert response.status_code == 201, response.content
    assert Activity.objects.get(external_id="EX-1").priority == priorities[2]
    bulk = write_api.post("/api/v1/activities/bulk/", {"items": [
        {**_by_codes(presidency), "external_source": "mod", "external_id": f"B-{n}"} for n in range(3)
    ]}, format="json")
    assert bulk.status_code == 200, bulk.content
    assert Activity.objects.filter(external_id__startswith="B-", responsible_body=body).count() == 3


@pytest.mark.parametrize(("field", "value"), [
    ("responsible_body", "no-such-body"), ("lead_state", "ZZ"), ("participating_states", ["AM", "QQ"]),
    ("priority", "nowhere:2"), ("priority", "9"), ("priority", "two"), ("responsible_body", ""),
    ("priority", 2.5), ("responsible_body", True),
])
def test_an_unknown_code_answers_400_naming_the_field_and_changes_nothing(write_api, presidency, priorities, body,
                                                                          states, field, value):
    response = write_api.post("/api/v1/activities/", _by_codes(presidency, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert any(name.startswith(field) for name in response.json()["errors"])
    assert not Activity.objects.exists()


def test_a_priority_number_two_presidencies_share_must_name_its_presidency(write_api, presidency, priorities, body,
                                                                           states):
    later = factories.PresidencyFactory(code="csto-2024", period_start="2024-01-01", period_end="2024-12-31")
    factories.PriorityFactory(presidency=later, number=2)
    response = write_api.post("/api/v1/activities/", _by_codes(presidency, priority="2"), format="json")
    assert response.status_code == 400
    assert "presidency code" in str(response.json()["errors"]["priority"])
    ok = write_api.post("/api/v1/activities/", _by_codes(presidency), format="json")
    assert ok.status_code == 201, ok.content
