"""Idempotency-Key: a retried POST is answered with the first response and does nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tracker.api import idempotency
from tracker.models import Activity, IdempotencyRecord, ProgressUpdate

pytestmark = pytest.mark.django_db


def _new(priorities, body, title="Consultations"):
    return {"priority": priorities[0].pk, "title": title, "due_date": "2023-06-30", "responsible_body": body.pk}


def test_a_retry_with_the_same_key_and_body_replays_the_first_answer_and_creates_nothing(write_api, priorities, body):
    first = write_api.post("/api/v1/activities/", _new(priorities, body), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = write_api.post("/api/v1/activities/", _new(priorities, body), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert (retry["Location"], retry["ETag"]) == (first["Location"], first["ETag"])
    assert retry["Idempotent-Replayed"] == "true"
    assert Activity.objects.count() == 1


def test_the_same_body_with_other_spacing_and_key_order_is_the_same_request(write_api, priorities, body):
    import json

    data = _new(priorities, body)
    write_api.generic("POST", "/api/v1/activities/", json.dumps(data), content_type="application/json",
                      HTTP_IDEMPOTENCY_KEY="k-2")
    reordered = json.dumps(dict(reversed(list(data.items()))), indent=4)
    retry = write_api.generic("POST", "/api/v1/activities/", reordered, content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="k-2")
    assert retry.status_code == 201
    assert Activity.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(write_api, priorities, body):
    write_api.post("/api/v1/activities/", _new(priorities, body), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    other = write_api.post("/api/v1/activities/", _new(priorities, body, title="Something else"), format="json",
                           HTTP_IDEMPOTENCY_KEY="k-3")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Activity.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused_with_422(write_api, activity):
    write_api.post(f"/api/v1/activities/{activity.pk}/updates/", {"note": "a"}, format="json",
                   HTTP_IDEMPOTENCY_KEY="k-4")
    other = write_api.post(f"/api/v1/activities/{activity.pk}/transition/", {"note": "a"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k-4")
    assert other.status_code == 422


def test_a_retry_while_the_first_still_runs_answers_409_with_retry_after(write_api, write_client, activity):
    # The first request has claimed the key and not finished: exactly what a concurrent retry finds.
    url = f"/api/v1/activities/{activity.pk}/updates/"
    payload = {"progress": 20}
    write_api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    IdempotencyRecord.objects.filter(key="k-5").update(state=IdempotencyRecord.State.IN_PROGRESS)
    retry = write_api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    assert retry.status_code == 409
    assert retry["Retry-After"] == "1"
    assert retry.json()["code"] == "idempotency_in_progress"
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over_after_the_lease(write_api, activity, settings):
    url = f"/api/v1/activities/{activity.pk}/updates/"
    write_api.post(url, {"progress": 20}, format="json", HTTP_IDEMPOTENCY_KEY="k-6")
    long_ago = timezone.now() - dt.timedelta(seconds=settings.API_IDEMPOTENCY_LEASE_SECONDS + 5)
    IdempotencyRecord.objects.filter(key="k-6").update(state=IdempotencyRecord.State.IN_PROGRESS, locked_at=long_ago)
    retry = write_api.post(url, {"progress": 20}, format="json", HTTP_IDEMPOTENCY_KEY="k-6")
    assert retry.status_code == 201
    assert IdempotencyRecord.objects.get(key="k-6").state == IdempotencyRecord.State.DONE


def test_a_failed_request_releases_its_key_so_the_corrected_retry_runs(write_api, priorities, body):
    bad = write_api.post("/api/v1/activities/", {**_new(priorities, body), "progress": 150}, format="json",
                         HTTP_IDEMPOTENCY_KEY="k-7")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-7").exists()
    fixed = write_api.post("/api/v1/activities/", _new(priorities, body), format="json", HTTP_IDEMPOTENCY_KEY="k-7")
    assert fixed.status_code == 201


def test_keys_are_private_to_each_client(write_api, coordinator_api, priorities, body):
    write_api.post("/api/v1/activities/", _new(priorities, body), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = coordinator_api.post("/api/v1/activities/", _new(priorities, body, title="Theirs"), format="json",
                                 HTTP_IDEMPOTENCY_KEY="shared")
    assert other.status_code == 201
    assert Activity.objects.count() == 2


def test_an_unusable_key_is_refused(write_api, priorities, body):
    response = write_api.post("/api/v1/activities/", _new(priorities, body), format="json",
                              HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Activity.objects.exists()


def test_without_a_key_each_post_is_a_new_request(write_api, priorities, body):
    write_api.post("/api/v1/activities/", _new(priorities, body), format="json")
    write_api.post("/api/v1/activities/", _new(priorities, body), format="json")
    assert Activity.objects.count() == 2


def test_bulk_and_upsert_by_reference_honour_the_key_too(write_api, priorities, body):
    item = {**_new(priorities, body), "external_source": "mod-by", "external_id": "X-1"}
    first = write_api.post("/api/v1/activities/bulk/", {"items": [item]}, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    retry = write_api.post("/api/v1/activities/bulk/", {"items": [item]}, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    put = write_api.put("/api/v1/activities/by-ref/mod-by/X-2/", _new(priorities, body), format="json",
                        HTTP_IDEMPOTENCY_KEY="p-1")
    again = write_api.put("/api/v1/activities/by-ref/mod-by/X-2/", _new(priorities, body), format="json",
                          HTTP_IDEMPOTENCY_KEY="p-1")
    assert (put.status_code, again.status_code) == (201, 201)


def test_records_are_kept_a_day_and_then_purged(write_api, priorities, body):
    write_api.post("/api/v1/activities/", _new(priorities, body), format="json", HTTP_IDEMPOTENCY_KEY="old")
    write_api.post("/api/v1/activities/", _new(priorities, body, title="New"), format="json",
                   HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    IdempotencyRecord.objects.filter(key="new").update(created_at=timezone.now() - dt.timedelta(hours=23))
    assert idempotency.purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_create_one_activity(write_client, priorities, body):
    from tests.api.conftest import client_with_key
    from tests.api.test_etag_and_concurrency import _together

    key = write_client[1]
    data = _new(priorities, body)

    def post():
        return client_with_key(key).post("/api/v1/activities/", data, format="json", HTTP_IDEMPOTENCY_KEY="race")

    results = _together(post, post)
    codes = sorted(r.status_code for r in results)
    assert codes in ([201, 201], [201, 409]), results  # replayed, or told to retry while the first ran
    assert Activity.objects.count() == 1
