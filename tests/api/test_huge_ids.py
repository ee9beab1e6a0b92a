"""An id too large for the database is a clear 400 naming the parameter, on every id filter of the API: a
`?activity=<25 digits>` on the links was a 500 on SQLite (schemathesis found it; the integer overflows)."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


@pytest.mark.parametrize(("path", "parameter"), [
    ("/api/v1/dependencies/", "activity"), ("/api/v1/dependencies/", "presidency"),
    ("/api/v1/risks/", "activity"), ("/api/v1/risks/", "priority"), ("/api/v1/risks/", "presidency"),
    ("/api/v1/activities/", "priority"), ("/api/v1/activities/", "presidency"),
])
def test_an_id_beyond_the_database_s_range_is_a_400_naming_the_parameter(coordinator_api, path, parameter):
    response = coordinator_api.get(path, {parameter: HUGE})
    assert response.status_code == 400, response.content
    assert parameter in response.json()["errors"]


@pytest.mark.parametrize("value", ["1.5", "-3", "0", "1e3", "²"])
def test_the_links_activity_is_a_whole_positive_id(coordinator_api, value):
    response = coordinator_api.get("/api/v1/dependencies/", {"activity": value})
    assert response.status_code == 400 and "activity" in response.json()["errors"]


def test_a_moment_with_an_offset_postgresql_refuses_is_read_in_utc(coordinator_api, activity):
    """Python takes offsets up to 24 hours, PostgreSQL only to ±15:59: "+16:27" was a 500 (schemathesis)."""
    response = coordinator_api.get("/api/v1/activities/", {"updated_since": "2020-05-07T19:56:49.58+16:27"})
    assert response.status_code == 200 and [row["id"] for row in response.json()["results"]] == [activity.pk]
    refused = coordinator_api.get("/api/v1/activities/", {"updated_since": "0001-01-01T01:00:00+16:27"})
    assert refused.status_code == 400 and "updated_since" in refused.json()["errors"]
