"""Daily snapshots: the presidency's roll-up (by status, per priority) once a day, and a back-fill of
missing days from the activities' history."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests import factories
from tracker import selectors, services
from tracker.jobs import snapshots
from tracker.models import Activity, DailySnapshot

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 7, 1)


@pytest.fixture
def agenda(presidency, priorities, body):
    make = factories.ActivityFactory
    make(priority=priorities[0], responsible_body=body, status="done", progress=100, due_date=dt.date(2023, 5, 1))
    make(priority=priorities[0], responsible_body=body, status="in_progress", progress=50)  # overdue on DAY
    make(priority=priorities[1], responsible_body=body, status="cancelled", due_date=dt.date(2023, 8, 1))
    make(priority=priorities[1], responsible_body=body, status="planned", due_date=dt.date(2023, 9, 1))
    return presidency


def test_snapshot_holds_the_rollup_of_the_presidency_and_of_each_priority(agenda):
    snapshot = snapshots.take(agenda, DAY)
    assert (snapshot.total, snapshot.done, snapshot.cancelled, snapshot.overdue) == (4, 1, 1, 1)
    assert (snapshot.percent_done, snapshot.mean_progress) == (33, 50)
    assert snapshot.counts == {"planned": 1, "in_progress": 1, "at_risk": 0, "blocked": 0, "done": 1, "cancelled": 1,
                                "handed_over": 0}
    first, second, third, fourth = snapshot.priorities
    assert (first["number"], first["total"], first["percent_done"], first["overdue"]) == (1, 2, 50, 1)
    assert (second["number"], second["total"], second["percent_done"]) == (2, 2, 0)
    assert third["total"] == fourth["total"] == 0
    assert snapshot.percent_done == selectors.presidency_rollup(agenda, DAY).percent_done


def test_taking_the_snapshot_again_the_same_day_replaces_the_row(agenda, coordinator_actor):
    snapshots.take(agenda, DAY)
    planned = Activity.objects.get(status="planned")
    services.activity_transition(actor=coordinator_actor, activity=planned, status="done")
    snapshot = snapshots.take(agenda, DAY)
    assert DailySnapshot.objects.count() == 1
    assert snapshot.done == 2


def test_the_daily_job_takes_the_current_presidency(agenda):
    snapshot = snapshots.take()
    assert snapshot.presidency == agenda
    assert snapshot.day == timezone.localdate()


def _history_moved_to(activity: Activity, day: dt.date) -> None:
    """Date the activity's latest historical record to noon of `day`, as if the change were made then."""
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    record = activity.history.order_by("-history_date", "-history_id").first()
    type(record).objects.filter(pk=record.pk).update(history_date=when)


def test_backfill_rebuilds_missing_days_from_history(presidency, priorities, body, coordinator_actor):
    data = {"priority": priorities[0], "title": "Council session", "responsible_body": body,
            "start_date": dt.date(2023, 5, 1), "due_date": dt.date(2023, 6, 30)}
    activity = services.activity_create(actor=coordinator_actor, data=data)
    _history_moved_to(activity, dt.date(2023, 6, 1))
    services.progress_report(actor=coordinator_actor, activity=activity, progress=40)
    _history_moved_to(activity, dt.date(2023, 6, 3))
    services.activity_transition(actor=coordinator_actor, activity=activity, status="done")
    _history_moved_to(activity, dt.date(2023, 6, 5))
    other = services.activity_create(actor=coordinator_actor, data={**data, "title": "Dropped"})
    _history_moved_to(other, dt.date(2023, 6, 2))
    services.activity_delete(actor=coordinator_actor, activity=other)
    _history_moved_to(Activity(pk=other.pk), dt.date(2023, 6, 4))
    snapshots.take(presidency, dt.date(2023, 6, 3))  # a day the job did run: left alone

    added = snapshots.backfill(presidency, dt.date(2023, 5, 31), dt.date(2023, 6, 6))
    assert added == [dt.date(2023, 5, 31), *[dt.date(2023, 6, d) for d in (1, 2, 4, 5, 6)]]
    by_day = {s.day.day: s for s in DailySnapshot.objects.filter(source="backfill")}
    assert by_day[31].total == 0
    assert (by_day[1].total, by_day[1].counts["planned"], by_day[1].mean_progress) == (1, 1, 0)
    assert by_day[2].total == 2
    assert (by_day[4].total, by_day[4].counts["in_progress"], by_day[4].mean_progress) == (1, 1, 40)
    assert (by_day[5].done, by_day[5].percent_done, by_day[6].percent_done) == (1, 100, 100)
    assert by_day[5].priorities[0]["percent_done"] == 100
    assert DailySnapshot.objects.get(day=dt.date(2023, 6, 3)).source == "live"


def test_backfill_command_reports_what_it_added(agenda):
    out = StringIO()
    call_command("backfill_snapshots", "--presidency", agenda.code, "--from", "2023-01-01", "--to", "2023-01-03",
                 stdout=out)
    assert "Added 3 snapshot(s)" in out.getvalue()
    call_command("backfill_snapshots", "--presidency", agenda.code, "--from", "2023-01-01", "--to", "2023-01-03",
                 stdout=out)
    assert "No missing days" in out.getvalue()
    with pytest.raises(CommandError, match="No presidency"):
        call_command("backfill_snapshots", "--presidency", "nope")
