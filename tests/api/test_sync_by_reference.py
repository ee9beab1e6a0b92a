"""Other systems' own keys: upsert by reference, and bulk upserts that are all or nothing."""

from __future__ import annotations

import pytest

from tracker.api.serializers import BULK_MAX_ITEMS
from tracker.models import Activity, ProgressUpdate

pytestmark = pytest.mark.django_db


def _fields(priorities, body, **extra):
    return {"priority": priorities[1].pk, "title": "CSTO–China dialogue", "kind": "dialogue",
            "due_date": "2023-11-30", "responsible_body": body.pk, **extra}


def _item(priorities, body, ref, **extra):
    return {**_fields(priorities, body, **extra), "external_source": "mfa-by", "external_id": ref}


def test_put_by_reference_creates_then_updates(write_api, priorities, body):
    url = "/api/v1/activities/by-ref/mfa-by/D-17/"
    created = write_api.put(url, _fields(priorities, body), format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["external_source"], created.json()["external_id"]) == ("mfa-by", "D-17")
    updated = write_api.put(url, _fields(priorities, body, progress=30), format="json", HTTP_IF_MATCH='"1"')
    assert updated.status_code == 200
    assert updated.json()["progress"] == 30
    assert Activity.objects.count() == 1
    assert write_api.get(url).json()["id"] == created.json()["id"]


def test_put_by_reference_refuses_the_reference_in_the_body(write_api, priorities, body):
    response = write_api.put("/api/v1/activities/by-ref/mfa-by/D-17/",
                             _fields(priorities, body, external_id="D-99"), format="json")
    assert response.status_code == 400
    assert "external_id" in response.json()["errors"]


def test_if_match_on_a_reference_that_does_not_exist_yet_is_412(write_api, priorities, body):
    response = write_api.put("/api/v1/activities/by-ref/mfa-by/NEW/", _fields(priorities, body), format="json",
                             HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert not Activity.objects.exists()


def test_reading_an_unknown_reference_is_404(write_api, db):
    assert write_api.get("/api/v1/activities/by-ref/mfa-by/none/").status_code == 404


def test_a_reference_longer_than_the_field_is_refused(write_api, priorities, body):
    response = write_api.put(f"/api/v1/activities/by-ref/mfa-by/{'x' * 101}/", _fields(priorities, body),
                             format="json")
    assert response.status_code == 400
    assert "external_id" in response.json()["errors"]


def test_bulk_creates_and_updates_in_one_request(write_api, priorities, body):
    write_api.put("/api/v1/activities/by-ref/mfa-by/D-1/", _fields(priorities, body), format="json")
    response = write_api.post("/api/v1/activities/bulk/", {"items": [
        _item(priorities, body, "D-1", progress=50), _item(priorities, body, "D-2"),
    ], "note": "Nightly sync"}, format="json")
    assert response.status_code == 200, response.content
    body_ = response.json()
    assert (body_["created"], body_["updated"]) == (1, 1)
    assert [r["external_id"] for r in body_["results"]] == ["D-1", "D-2"]
    assert Activity.objects.get(external_id="D-1").progress == 50
    assert ProgressUpdate.objects.filter(note="Nightly sync", channel="api").count() == 2


def test_bulk_is_all_or_nothing_and_names_every_bad_item(write_api, priorities, body):
    items = [
        _item(priorities, body, "OK-1"),
        _item(priorities, body, "BAD-1", start_date="2023-12-01", due_date="2023-11-01"),
        _item(priorities, body, "OK-2"),
        _item(priorities, body, "BAD-2", due_date="2031-01-01"),
    ]
    response = write_api.post("/api/v1/activities/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "bulk_invalid"
    assert set(problem["item_errors"]) == {"1", "3"}
    assert "due_date" in problem["item_errors"]["1"] and "due_date" in problem["item_errors"]["3"]
    assert "items[1].due_date" in problem["errors"]
    assert not Activity.objects.exists()


def test_bulk_reports_malformed_items_by_index_and_field_before_running_anything(write_api, priorities, body):
    items = [_item(priorities, body, "A"), {**_item(priorities, body, "B"), "progress": "lots"},
             {**_item(priorities, body, "C"), "colour": "red"}]
    response = write_api.post("/api/v1/activities/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"items[1].progress", "items[2].colour"}
    assert not Activity.objects.exists()


def test_bulk_over_the_limit_is_refused_with_a_clear_message(write_api, priorities, body):
    items = [_item(priorities, body, f"R-{n}") for n in range(BULK_MAX_ITEMS + 1)]
    response = write_api.post("/api/v1/activities/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert f"At most {BULK_MAX_ITEMS} items" in response.json()["errors"]["items"][0]
    assert not Activity.objects.exists()


@pytest.mark.slow  # 500 upserts, each validated and logged (set-based, but still the biggest request)
def test_bulk_of_the_full_500_items_goes_through(write_api, priorities, body):
    items = [_item(priorities, body, f"R-{n}", title=f"Item {n}") for n in range(BULK_MAX_ITEMS)]
    response = write_api.post("/api/v1/activities/bulk/", {"items": items}, format="json")
    assert response.status_code == 200
    assert Activity.objects.count() == BULK_MAX_ITEMS


def test_bulk_needs_at_least_one_item(write_api, db):
    assert write_api.post("/api/v1/activities/bulk/", {"items": []}, format="json").status_code == 400


def test_bulk_items_outside_the_keys_bodies_are_forbidden(db, priorities, body, other_body):
    from tests import factories
    from tests.api.conftest import client_with_key

    _client, key = factories.make_api_client("mod-only", bodies=[other_body])
    response = client_with_key(key).post("/api/v1/activities/bulk/", {"items": [_item(priorities, body, "Z")]},
                                         format="json")
    assert response.status_code == 403
    assert "0" in response.json()["item_errors"]
