"""Simultaneous writers, on SQLite (IMMEDIATE + WAL) and on PostgreSQL (row locks): nothing lost, one winner."""

import threading

import pytest
from django.db import connection

from tracker import services
from tracker.errors import StaleVersion
from tracker.models import Activity, ProgressUpdate
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(count, work):
    """Start `count` threads at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_writers_with_the_same_version_exactly_one_wins(activity, coordinator):
    actor = Actor.for_user(coordinator)

    def write(index):
        target = Activity.objects.get(pk=activity.pk)
        return services.progress_report(actor=actor, activity=target, progress=10 + index, expected_version=1)

    results = _run_together(2, write)
    winners = [r for r in results if isinstance(r, Activity)]
    losers = [r for r in results if isinstance(r, StaleVersion)]
    assert (len(winners), len(losers)) == (1, 1), results
    activity.refresh_from_db()
    assert activity.version == 2
    assert activity.progress == winners[0].progress
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1


def test_many_writers_without_versions_all_land(activity, coordinator):
    actor = Actor.for_user(coordinator)

    def write(index):
        target = Activity.objects.get(pk=activity.pk)
        return services.progress_report(actor=actor, activity=target, note=f"report {index}")

    results = _run_together(6, write)
    assert all(isinstance(r, Activity) for r in results), results
    activity.refresh_from_db()
    assert activity.version == 7
    assert sorted(ProgressUpdate.objects.values_list("note", flat=True)) == [f"report {i}" for i in range(6)]


def test_two_creates_by_the_same_reference_make_one_activity(priorities, body, coordinator):
    import datetime as dt

    actor = Actor.for_user(coordinator)
    data = {"priority": priorities[0], "title": "Synced", "due_date": dt.date(2023, 5, 1), "responsible_body": body}

    def upsert(index):
        item = {**data, "location": str(index)}
        return services.activity_upsert_by_ref(actor=actor, source="mfa", ref="A-1", data=item)

    results = _run_together(2, upsert)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _a, created in results) == [False, True]
    assert Activity.objects.filter(external_source="mfa", external_id="A-1").count() == 1
