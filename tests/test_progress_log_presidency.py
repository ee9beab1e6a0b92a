"""Issue 18: the progress log carries its activity's presidency, so a presidency's latest updates are one
index range, not a walk of the whole log (the dashboard's "latest updates")."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.utils import timezone

from tests import factories
from tracker import selectors, services
from tracker.models import ProgressUpdate
from tracker.permissions import Actor


@pytest.fixture
def two_presidencies(db, body):
    ours = factories.PresidencyFactory()
    theirs = factories.PresidencyFactory(code="csto-2024-test", period_start=dt.date(2024, 1, 1),
                                         period_end=dt.date(2024, 12, 31))
    return {
        "ours": ours, "theirs": theirs,
        "our_priority": factories.PriorityFactory(presidency=ours, number=1),
        "their_priority": factories.PriorityFactory(presidency=theirs, number=1),
    }


def test_latest_updates_are_the_presidencys_own_even_when_others_are_newer(two_presidencies, body,
                                                                           django_assert_num_queries):
    ours = factories.ActivityFactory(priority=two_presidencies["our_priority"], responsible_body=body)
    theirs = factories.ActivityFactory(priority=two_presidencies["their_priority"], responsible_body=body,
                                       due_date=dt.date(2024, 6, 1), start_date=dt.date(2024, 1, 10))
    services.progress_report(actor=Actor.system(), activity=ours, progress=30, note="ours")
    for n in range(5):  # newer updates of the other presidency
        theirs.refresh_from_db()
        services.progress_report(actor=Actor.system(), activity=theirs, progress=40 + n, note=f"theirs {n}")
    assert set(ProgressUpdate.objects.values_list("activity_id", "presidency_id")) == {
        (ours.pk, two_presidencies["ours"].pk), (theirs.pk, two_presidencies["theirs"].pk)}
    with django_assert_num_queries(1):
        shown = selectors.recent_updates(two_presidencies["ours"], limit=3)
        assert [u.note for u in shown] == ["ours"] and shown[0].activity.priority.presidency_id
    assert [u.note for u in selectors.recent_updates(two_presidencies["theirs"], limit=2)] == ["theirs 4",
                                                                                               "theirs 3"]


def test_the_log_follows_an_activity_moved_to_another_presidency(two_presidencies, body):
    activity = factories.ActivityFactory(priority=two_presidencies["our_priority"], responsible_body=body)
    services.progress_report(actor=Actor.system(), activity=activity, progress=30, note="before the move")
    activity.refresh_from_db()
    services.activity_update(actor=Actor.system(), activity=activity,
                             changes={"priority": two_presidencies["their_priority"],
                                      "start_date": dt.date(2024, 1, 10), "due_date": dt.date(2024, 6, 1)},
                             note="moved")
    assert set(ProgressUpdate.objects.filter(activity=activity).values_list("presidency_id", flat=True)) == {
        two_presidencies["theirs"].pk}
    assert not selectors.recent_updates(two_presidencies["ours"])


def test_a_row_saved_without_a_presidency_takes_its_activitys(activity):
    update = activity.progress_updates.create(actor_name="sync", channel="api", new_status=activity.status)
    assert update.presidency_id == activity.priority.presidency_id


def test_the_migration_backfills_existing_rows(activity):
    activity.progress_updates.create(actor_name="sync", channel="api", new_status=activity.status,
                                     created_at=timezone.now())
    ProgressUpdate.objects.update(presidency=None)
    migration = importlib.import_module("tracker.migrations.0021_progressupdate_presidency").Migration
    backfill = next(op for op in migration.operations if op.__class__.__name__ == "RunSQL")
    with connection.cursor() as cursor:
        cursor.execute(backfill.sql)
    assert list(ProgressUpdate.objects.values_list("presidency_id", flat=True)) == [
        activity.priority.presidency_id]
