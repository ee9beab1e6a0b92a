"""The API of assessments, the risk log and stocktakes: roles, filters and problem details for bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import callers, client_for_user  # noqa: F401  (the fixture: every kind of caller)
from tests.delivery.conftest import TODAY
from tracker.models import Channel, ConfidenceAssessment, RaidEntry
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db


def _assessment(activity):
    return {"activity": activity.pk, "rating": "amber", "narrative": "Venue not confirmed",
            "next_review": (TODAY + dt.timedelta(days=14)).isoformat()}


@pytest.mark.parametrize(("caller", "expected"), [
    ("anonymous", 401), ("viewer", 403), ("outsider", 403), ("editor", 201), ("coordinator", 201),
    ("read_key", 403), ("write_key", 403),
])
def test_who_may_record_an_assessment(callers, activity, caller, expected):  # noqa: F811
    response = callers[caller].post("/api/v1/assessments/", _assessment(activity), format="json")
    assert response.status_code == expected, response.content
    assert ConfidenceAssessment.objects.count() == (1 if expected == 201 else 0)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("change", "field"), [
    ({"narrative": ""}, "narrative"),
    ({"rating": "blue"}, "rating"),
    ({"next_review": "2023-01-01"}, "next_review"),
    ({"activity": 999999}, "activity"),
])
def test_bad_assessments_are_a_problem_naming_the_field(editor, activity, change, field):
    response = client_for_user(editor).post("/api/v1/assessments/", {**_assessment(activity), **change},
                                            format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ConfidenceAssessment.objects.exists()


def test_assessments_filter_by_rating_since_and_current(editor, activity):
    api = client_for_user(editor)
    for rating in ("green", "amber", "red"):
        assert api.post("/api/v1/assessments/", {**_assessment(activity), "rating": rating},
                        format="json").status_code == 201
    ratings = [row["rating"] for row in api.get("/api/v1/assessments/?rating=green&rating=red").json()["results"]]
    assert sorted(ratings) == ["green", "red"]
    current = api.get(f"/api/v1/assessments/?current=true&activity={activity.pk}").json()["results"]
    assert [row["rating"] for row in current] == ["red"]  # the latest by time
    assert api.get("/api/v1/assessments/?since=2023-07-01").json()["results"] == []
    bad = api.get("/api/v1/assessments/?rating=teal")
    assert bad.status_code == 400 and "rating" in bad.json()["errors"]


def test_risk_log_over_the_api(editor, outsider, activity):
    api = client_for_user(editor)
    created = api.post("/api/v1/risks/", {"activity": activity.pk, "statement": "Range booked by others",
                                          "likelihood": 4, "impact": 5}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["score"] == 20
    entry = created.json()["id"]
    assert client_for_user(outsider).patch(f"/api/v1/risks/{entry}/", {"status": "closed"},
                                           format="json").status_code == 403
    changed = api.patch(f"/api/v1/risks/{entry}/", {"escalated": True}, format="json")
    assert changed.status_code == 200 and changed.json()["escalated"] is True
    assert [r["id"] for r in api.get("/api/v1/risks/?escalated=true&min_score=16").json()["results"]] == [entry]
    assert api.get("/api/v1/risks/?min_score=21").json()["results"] == []
    seven = api.post("/api/v1/risks/", {"activity": activity.pk, "statement": "x", "likelihood": 7, "impact": 1},
                     format="json")
    assert seven.status_code == 400 and "likelihood" in seven.json()["errors"]
    assert RaidEntry.objects.count() == 1


def test_stocktakes_are_read_over_the_api(callers, presidency, coordinator, activity):  # noqa: F811
    stocktake = services_delivery.stocktake_open(actor=Actor.for_user(coordinator, Channel.WEB),
                                                 presidency=presidency)
    services_delivery.stocktake_add_item(actor=Actor.for_user(coordinator, Channel.WEB), stocktake=stocktake,
                                         kind="decision", text="Hold the exercise in September")
    body = callers["read_key"].get(f"/api/v1/stocktakes/{stocktake.pk}/").json()
    assert body["decisions"][0]["text"] == "Hold the exercise in September"
    assert callers["read_key"].post("/api/v1/stocktakes/", {}, format="json").status_code in (403, 405)


def test_boolean_filters_take_true_or_false_only(editor, db):
    api = client_for_user(editor)
    for url in ("/api/v1/risks/?escalated=null", "/api/v1/assessments/?current=maybe"):
        response = api.get(url)
        assert response.status_code == 400, url
        assert set(response.json()["errors"]) & {"escalated", "current"}
    assert api.get("/api/v1/risks/?escalated=false").status_code == 200
