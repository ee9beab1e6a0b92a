"""The database unreachable during a request: a clear 503 with Retry-After, never a 500.

The outage is real: the connection is closed and pointed at a database that cannot be opened (a closed
port on PostgreSQL, a missing folder on SQLite), exactly what a stopped or restarting server looks like to
Django. The PostgreSQL restart under traffic, against gunicorn, is in tests/faults/.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connections
from django.test import Client
from rest_framework.test import APIClient

from tests import factories
from tracker.models import ApiClient
from tracker.outage import is_database_outage, server_error

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


@contextlib.contextmanager
def database_unreachable() -> Iterator[None]:
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/tracker.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def coordinator_client(coordinator):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    return client


def test_a_page_answers_503_with_retry_after_when_the_database_is_unreachable(coordinator_client):
    with database_unreachable():
        response = coordinator_client.get("/board/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Temporarily unavailable" in page and "retry in a few seconds" in page
    assert "<script" not in page  # the page needs nothing but itself


def test_an_api_call_answers_503_problem_details_when_the_database_is_unreachable(db):
    _client, key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with database_unreachable():
        response = api.post("/api/v1/activities/1/updates/", {"progress": 10, "note": "x"}, format="json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert (body["code"], body["status"], body["retry_after"]) == ("service_unavailable", 503, 5)


def test_the_next_request_after_the_outage_succeeds(coordinator_client, activity):
    with database_unreachable():
        assert coordinator_client.get("/board/").status_code == 503
    assert coordinator_client.get(f"/activities/{activity.pk}/").status_code == 200


def test_an_outage_raised_outside_a_view_is_a_503_too(rf):
    # Middleware (the session saved after the view) fails outside any view: Django calls handler500.
    request = rf.get("/board/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"


def test_other_errors_stay_a_500(rf):
    request = rf.get("/api/v1/activities/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


def test_a_wrapped_connection_error_is_recognised():
    try:
        try:
            raise OperationalError("terminating connection due to administrator command")
        except OperationalError as exc:
            raise RuntimeError("while rendering") from exc
    except RuntimeError as outer:
        assert is_database_outage(outer)
    assert not is_database_outage(ValueError("no"))


def test_the_outage_page_speaks_russian(coordinator):
    client = Client(raise_request_exception=False, headers={"Accept-Language": "ru"})
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    with database_unreachable():
        response = client.get("/board/")
    assert response.status_code == 503
    assert "Временно недоступно" in response.content.decode()


def test_any_error_on_a_connection_the_restart_cut_is_an_outage_and_a_bug_is_not():
    # A restart can surface as something other than OperationalError (a template tag, a cache fill): if the
    # connection is broken when the error is handled, the answer is 503 (retry), not a 500 (a bug).
    from django.db import connections

    from tracker import outage

    class Cut:
        broken, closed = True, False

    wrapper = connections["default"]
    saved = wrapper.connection
    try:
        wrapper.connection = Cut()
        assert outage.is_database_outage(TypeError("'NoneType' object is not iterable"))
        wrapper.connection = None
        assert not outage.is_database_outage(TypeError("'NoneType' object is not iterable"))
    finally:
        wrapper.connection = saved
