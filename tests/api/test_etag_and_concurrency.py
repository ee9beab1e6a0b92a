"""Nothing lost, nothing silently overwritten: ETag/If-Match and two writers at the same moment.

The concurrent tests use real threads with their own database connections, on SQLite (IMMEDIATE
transactions) and on PostgreSQL (row locks): exactly one of two writers based on the same version wins.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.api.conftest import client_with_key
from tracker.models import Activity, ProgressUpdate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("method", "suffix", "payload"), [
    ("patch", "", {"progress": 10}),
    ("put", "", None),
    ("post", "transition/", {"status": "in_progress"}),
    ("post", "updates/", {"progress": 10}),
    ("delete", "", None),
])
def test_a_stale_if_match_answers_412_with_the_current_version_and_changes_nothing(
    coordinator_api, activity, priorities, body, method, suffix, payload
):
    coordinator_api.patch(f"/api/v1/activities/{activity.pk}/", {"location": "Minsk"}, format="json")  # now v2
    if method == "put":
        payload = {"priority": priorities[2].pk, "title": "Renamed", "due_date": "2023-09-30",
                   "responsible_body": body.pk}
    response = getattr(coordinator_api, method)(
        f"/api/v1/activities/{activity.pk}/{suffix}", payload, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412, response.content
    problem = response.json()
    assert (problem["code"], problem["current_version"]) == ("stale_version", 2)
    assert response["ETag"] == '"2"'
    current = Activity.objects.get(pk=activity.pk)
    assert (current.version, current.progress, current.status, current.title) == (
        2, 0, "planned", "Joint exercises in Belarus")


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', '"7", "1"', "*"])
def test_a_matching_if_match_lets_the_write_through(write_api, activity, if_match):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"progress": 10}, format="json",
                               HTTP_IF_MATCH=if_match)
    assert response.status_code == 200
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("if_match", ["yesterday", "1", "", '"1', '"one"'])
def test_an_if_match_that_is_not_an_etag_is_a_400(write_api, activity, if_match):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"progress": 10}, format="json",
                               HTTP_IF_MATCH=if_match)
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]
    assert Activity.objects.get(pk=activity.pk).version == 1


def test_the_etag_after_a_write_is_the_one_to_send_next(write_api, activity):
    first = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"progress": 10}, format="json",
                            HTTP_IF_MATCH='"1"')
    second = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"progress": 20}, format="json",
                             HTTP_IF_MATCH=first["ETag"])
    assert second.status_code == 200


def _together(*calls):
    """Run the calls in threads released at the same instant; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_version_exactly_one_wins(write_client, activity):
    key = write_client[1]
    url = f"/api/v1/activities/{activity.pk}/"

    def write(progress):
        return lambda: client_with_key(key).patch(url, {"progress": progress}, format="json", HTTP_IF_MATCH='"1"')

    results = _together(write(30), write(70))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 412], results
    winner = next(r for r in results if r.status_code == 200).json()
    current = Activity.objects.get(pk=activity.pk)
    assert (current.version, current.progress) == (2, winner["progress"])
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reports_without_if_match_are_both_kept(write_client, activity):
    key = write_client[1]
    url = f"/api/v1/activities/{activity.pk}/updates/"

    def report(note):
        return lambda: client_with_key(key).post(url, {"note": note}, format="json")

    results = _together(report("first"), report("second"))
    assert [r.status_code for r in results] == [201, 201], results
    assert Activity.objects.get(pk=activity.pk).version == 3
    assert sorted(ProgressUpdate.objects.values_list("note", flat=True)) == ["first", "second"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creates_by_reference_make_one_activity(write_client, priorities, body):
    key = write_client[1]
    data = {"priority": priorities[0].pk, "title": "Dialogue", "due_date": "2023-06-30", "responsible_body": body.pk}

    def upsert():
        return client_with_key(key).put("/api/v1/activities/by-ref/mfa-by/D-1/", data, format="json")

    results = _together(upsert, upsert)
    assert sorted(r.status_code for r in results) == [200, 201], results
    assert Activity.objects.filter(external_source="mfa-by", external_id="D-1").count() == 1
