"""The list's and the retrieve's bodies say, byte for byte, what the declared serializer says.

Those reads take their own road for speed (compiled and prepared statements, plain rows, psycopg's C parser
for timestamps on PostgreSQL, represent_row); these tests compare whole bodies with DRF's field-by-field
representation over rows in every status, with and without dates, states and microseconds, Unicode text,
and instants chosen for the time zones' edge cases, in several zones."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from django.test import override_settings

from tests import factories
from tracker.api.serializers import ActivitySerializer
from tracker.models import Activity
from tracker.selectors import activity_records
from tracker.workflow import Status

pytestmark = pytest.mark.django_db

UTC = dt.UTC
INSTANTS = [
    dt.datetime(2024, 3, 5, 7, 8, 9, tzinfo=UTC),  # no microseconds
    dt.datetime(2024, 3, 5, 7, 8, 9, 1, tzinfo=UTC),  # one microsecond
    dt.datetime(2024, 3, 5, 23, 59, 59, 999_999, tzinfo=UTC),  # the next day in zones east of UTC
    dt.datetime(2024, 3, 31, 0, 59, 59, 500_000, tzinfo=UTC),  # a second before London's clocks go forward
    dt.datetime(2024, 3, 31, 1, 0, 0, tzinfo=UTC),  # London on summer time
    dt.datetime(2024, 11, 3, 5, 30, tzinfo=UTC),  # New York's repeated hour
    dt.datetime(2024, 11, 3, 6, 30, tzinfo=UTC),
    dt.datetime(2000, 1, 1, tzinfo=UTC),  # midnight, new year
    dt.datetime(1880, 6, 1, 12, 0, 0, 123_000, tzinfo=UTC),  # local mean time: offsets with seconds
    dt.datetime(1, 1, 2, 3, 4, 5, tzinfo=UTC),  # year 1: four digits, zero-padded
    dt.datetime(9999, 12, 30, 0, 0, tzinfo=UTC),
]


@pytest.fixture
def varied(priorities, body):
    """An activity in every status, with and without dates, states, owner, Unicode text and microseconds."""
    states = [factories.MemberStateFactory(code=code) for code in ("BY", "KZ", "RU")]
    rows = []
    for n, status in enumerate(Status.values):
        activity = factories.ActivityFactory(
            priority=priorities[n % len(priorities)], responsible_body=body, status=status,
            title=f"Встреча №{n} — «ОДКБ» 🛡", title_ru="Совместные учения", description="Line\nbreak \"quoted\"",
            due_date=dt.date(2023, 4, 1) + dt.timedelta(days=40 * n), start_date=None if n % 2 else dt.date(2023, 1, 1),
            lead_state=states[n % 3] if n % 2 else None,
        )
        activity.participating_states.set(states[: n % 4])
        instant = INSTANTS[n % len(INSTANTS)]
        Activity.objects.filter(pk=activity.pk).update(
            created_at=instant, updated_at=instant + dt.timedelta(microseconds=n * 250_001),
            date_confirmed_at=None if n % 3 == 0 else INSTANTS[(n + 4) % len(INSTANTS)],
        )
        rows.append(activity)
    return rows


def _declared(pks: list[int]) -> list[dict]:
    serializer = ActivitySerializer(context={})
    by_pk = {activity.pk: activity for activity in activity_records().filter(pk__in=pks)}
    return [serializer.generic_representation(by_pk[pk]) for pk in pks]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Minsk", "America/New_York", "Asia/Kathmandu"])
def test_list_and_retrieve_bodies_equal_the_serializer_byte_for_byte(write_api, varied, zone):
    with override_settings(TIME_ZONE=zone):
        for query in ("ordering=due_date", "ordering=-updated", "ordering=title&page_size=3", "page=2&page_size=3"):
            for _repeat in range(2):  # the second time from the remembered statement
                response = write_api.get(f"/api/v1/activities/?{query}")
                assert response.status_code == 200
                results = response.json()["results"]
                expected = b"".join([b'"results":[', b",".join(orjson.dumps(item) for item in
                                                               _declared([row["id"] for row in results])), b"]}"])
                assert response.content.endswith(expected), (zone, query)
        for activity in varied:
            response = write_api.get(f"/api/v1/activities/{activity.pk}/")
            assert response.content == orjson.dumps(_declared([activity.pk])[0]), (zone, activity.status)


def test_each_zone_gets_its_own_text_from_remembered_statements(write_api, varied):
    """Nothing remembered from a request in one zone (compiled statements, first pages) leaks into another."""
    pk = varied[1].pk
    with override_settings(TIME_ZONE="UTC"):
        in_utc = write_api.get("/api/v1/activities/?ordering=due_date").json()["results"][1]["created_at"]
        one_utc = write_api.get(f"/api/v1/activities/{pk}/").json()["created_at"]
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        in_kolkata = write_api.get("/api/v1/activities/?ordering=due_date").json()["results"][1]["created_at"]
        one_kolkata = write_api.get(f"/api/v1/activities/{pk}/").json()["created_at"]
    assert in_utc == one_utc == "2024-03-05T07:08:09.000001Z"
    assert in_kolkata == one_kolkata == "2024-03-05T12:38:09.000001+05:30"
