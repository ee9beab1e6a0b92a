"""Concurrent writers in one presidency: no deadlocks, no false "no longer exists", deadlocks retried.

The lock tests run on both databases; the deadlock ones need PostgreSQL's row locks (the SQLite pass skips
them: SQLite's IMMEDIATE transactions queue writers on one database lock and never deadlock).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from tests import factories
from tracker import dbretry, services
from tracker.errors import StaleVersion
from tracker.models import Activity, ProgressUpdate
from tracker.permissions import Actor
from tracker.services import store

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
        thread.join(timeout=120)
    return results


def test_writers_moving_activities_between_priorities_of_one_presidency_do_not_deadlock(
    priorities, body, coordinator, settings
):
    # Without retries, so that a single deadlock fails the test. Each writer changes its own activity's
    # priority back and forth (a foreign-key check on the priority rows) and reports progress; before,
    # every write also locked the shared priority and presidency rows and the two kinds of lock deadlocked.
    settings.DATABASE_CONFLICT_ATTEMPTS = 1
    actor = Actor.for_user(coordinator)
    activities = [
        factories.ActivityFactory(priority=priorities[n % 2], responsible_body=body, due_date=dt.date(2023, 9, 30))
        for n in range(6)
    ]

    def write(index):
        target = activities[index]
        for round_ in range(8):
            current = Activity.objects.get(pk=target.pk)
            services.activity_update(
                actor=actor, activity=current, changes={"priority": priorities[(index + round_ + 1) % 2]}
            )
            services.progress_report(actor=actor, activity=current, progress=round_ * 10, note=f"{index}/{round_}")
        return True

    results = _run_together(len(activities), write)
    assert results == [True] * len(activities), [r for r in results if r is not True]
    for index, target in enumerate(activities):
        target.refresh_from_db()
        assert target.priority_id == priorities[(index + 8) % 2].pk
        assert target.progress == 70


def _hold_priority_change(activity, new_priority, actor, locked, release):
    """In a thread: change the activity's priority, then keep the transaction (and the row lock) open."""
    try:
        with transaction.atomic():
            services.activity_update(actor=actor, activity=activity, changes={"priority": new_priority})
            locked.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.mark.parametrize("with_version", [False, True])
def test_a_write_waiting_for_a_priority_change_gets_the_current_activity_not_no_longer_exists(
    activity, priorities, coordinator, with_version
):
    actor = Actor.for_user(coordinator)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_priority_change, args=(activity, priorities[0], actor, locked, release))
    holder.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()  # commit while the write below waits for the row
    try:
        if with_version:
            # It had read version 1; the priority change made version 2: a precondition failure (412).
            with pytest.raises(StaleVersion) as refused:
                services.progress_report(actor=actor, activity=activity, progress=40, expected_version=1)
            assert refused.value.current_version == 2
        else:
            services.progress_report(actor=actor, activity=activity, progress=40, note="after the move")
    finally:
        release.set()
        holder.join(10)
    activity.refresh_from_db()
    assert activity.priority_id == priorities[0].pk
    assert activity.progress == (0 if with_version else 40)
    assert activity.version == (2 if with_version else 3)


def test_a_deadlock_is_retried_and_both_transactions_land(postgres_only, priorities, body):
    first, second = (factories.ActivityFactory(priority=priorities[0], responsible_body=body) for _ in range(2))
    meet = threading.Barrier(2)
    attempts = []

    def cross(index):
        order = [first.pk, second.pk] if index == 0 else [second.pk, first.pk]

        def work():
            attempts.append(index)
            with transaction.atomic():
                Activity.objects.select_for_update().get(pk=order[0])
                if len(attempts) <= 2:
                    meet.wait(10)  # both hold their first row: each now waits for the other's
                Activity.objects.select_for_update().get(pk=order[1])
                Activity.objects.filter(pk=order[0]).update(location=f"writer {index}")
            return index

        return dbretry.run(work)

    results = _run_together(2, cross)
    assert sorted(results) == [0, 1], results
    assert len(attempts) == 3, "exactly one of the two was ended by the deadlock and run again"
    assert {a.location for a in Activity.objects.filter(pk__in=[first.pk, second.pk])} == {"writer 0", "writer 1"}


def test_a_deadlock_that_keeps_happening_gives_up_after_the_configured_attempts(
    activity, coordinator, monkeypatch, settings
):
    import psycopg

    settings.DATABASE_CONFLICT_ATTEMPTS = 3
    calls = []

    def deadlocked(*args, **kwargs):
        calls.append(1)
        raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected("deadlock detected")

    monkeypatch.setattr(store, "log", deadlocked)
    with pytest.raises(OperationalError) as raised:
        services.progress_report(actor=Actor.for_user(coordinator), activity=activity, progress=30)
    assert dbretry.is_conflict(raised.value)
    assert len(calls) == 3
    activity.refresh_from_db()
    assert (activity.version, activity.progress) == (1, 0)
    assert not ProgressUpdate.objects.exists()


def test_a_lost_connection_is_not_retried_as_a_conflict(activity, coordinator, monkeypatch):
    calls = []

    def lost(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(store, "log", lost)
    started = time.monotonic()
    with pytest.raises(OperationalError):
        services.progress_report(actor=Actor.for_user(coordinator), activity=activity, progress=30)
    assert len(calls) == 1 and time.monotonic() - started < 5


def test_bulk_upserts_naming_the_same_references_in_other_orders_do_not_deadlock(priorities, body, coordinator,
                                                                              settings):
    settings.DATABASE_CONFLICT_ATTEMPTS = 1  # a single deadlock fails the test
    actor = Actor.for_user(coordinator)
    existing = [
        factories.ActivityFactory(priority=priorities[0], responsible_body=body, external_source="sync",
                                  external_id=f"old-{n}")
        for n in range(4)
    ]

    def batch(index):
        for round_ in range(4):
            refs = [f"old-{n}" for n in range(4)] + [f"new-{round_}-{n}" for n in range(6)]
            if index % 2:
                refs.reverse()
            items = [{"external_source": "sync", "external_id": ref, "priority": priorities[index % 2],
                      "title": "Synced", "due_date": dt.date(2023, 11, 30), "responsible_body": body,
                      "location": f"{index}/{round_}"} for ref in refs]
            services.activities_bulk_upsert(actor=actor, items=items, note=f"batch {index}/{round_}")
        return True

    results = _run_together(4, batch)
    assert results == [True] * 4, [r for r in results if r is not True]
    assert Activity.objects.filter(external_source="sync").count() == 4 + 4 * 6
    for activity in existing:
        activity.refresh_from_db()
        assert activity.version == 1 + 4 * 4  # every batch of every writer changed it once
