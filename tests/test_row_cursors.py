"""The API's row cursors (tracker/selectors/cursors.py): the same rows as the ORM's, still counted as queries,
and the retrieve's statement prepared on PostgreSQL unless turned off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests import factories
from tracker.models import Activity
from tracker.selectors import activity_row, activity_rows_with_states
from tracker.selectors.cursors import row_cursor

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_row_read_gives_what_the_orm_gives_and_counts_as_one_query(activity, django_assert_num_queries):
    activity.participating_states.set([factories.MemberStateFactory(code=code) for code in ("BY", "KZ")])
    Activity.objects.filter(pk=activity.pk).update(
        created_at=dt.datetime(2024, 3, 5, 7, 8, 9, 1, tzinfo=dt.UTC), date_confirmed_at=None)
    expected = activity_rows_with_states(Activity.objects.filter(pk=activity.pk)).get()
    with django_assert_num_queries(1):
        row = activity_row(activity.pk)
    assert row == expected
    assert row["created_at"] == dt.datetime(2024, 3, 5, 7, 8, 9, 1, tzinfo=dt.UTC)
    assert row["created_at"].utcoffset() == dt.timedelta(0)
    assert row["state_codes"] == ["BY", "KZ"] and len(row["state_ids"]) == 2


def _retrieves_prepared() -> int:
    return sum('"tracker_activity"."id" = $1' in statement for statement in _prepared_statements())


@postgres_only
def test_the_retrieve_is_prepared_once_per_connection(activity):
    activity_row(activity.pk)
    prepared = _retrieves_prepared()
    assert prepared >= 1  # (a test before may have prepared it on this connection already)
    activity_row(activity.pk)
    activity_row(activity.pk)
    assert _retrieves_prepared() == prepared


@postgres_only
def test_prepared_statements_can_be_turned_off_for_a_pooler(activity, settings):
    settings.API_PREPARED_STATEMENTS = False
    with row_cursor("default", prepare=True) as cursor:
        assert not type(cursor.cursor).__name__.startswith("Preparing")
    assert activity_row(activity.pk)["id"] == activity.pk
    settings.API_PREPARED_STATEMENTS = True
    with row_cursor("default", prepare=True) as cursor:
        assert type(cursor.cursor).__name__.startswith("Preparing")
