"""With a read replica configured, safe requests read from it; writers are pinned to the primary."""

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import override_settings

from tracker.db_router import PIN_COOKIE, PrimaryReplicaRouter, ReplicaRoutingMiddleware
from tracker.models import Activity


@pytest.fixture
def replica_configured(monkeypatch):
    monkeypatch.setitem(connections.settings, "replica", dict(connections.settings["default"]))


def _read_db_during(request):
    seen = {}

    def view(req):
        seen["db"] = PrimaryReplicaRouter().db_for_read(Activity)
        return HttpResponse()

    response = ReplicaRoutingMiddleware(view)(request)
    return seen["db"], response


@override_settings(REPLICA_PIN_SECONDS=10)
def test_page_reads_go_to_the_replica(rf, replica_configured):
    db, _response = _read_db_during(rf.get("/board/"))
    assert db == "replica"


def test_a_write_request_reads_the_primary_and_pins_the_writer(rf, replica_configured):
    db, response = _read_db_during(rf.post("/activities/1/transition/"))
    assert db == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 10


def test_a_pinned_reader_stays_on_the_primary(rf, replica_configured):
    request = rf.get("/board/")
    request.COOKIES[PIN_COOKIE] = "1"
    db, _response = _read_db_during(request)
    assert db == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(rf, replica_configured):
    def view(req):
        outside = PrimaryReplicaRouter().db_for_read(Activity)
        with transaction.atomic():
            inside = PrimaryReplicaRouter().db_for_read(Activity)
        return HttpResponse(f"{outside},{inside}")

    assert ReplicaRoutingMiddleware(view)(rf.get("/")).content == b"replica,default"


def test_without_a_replica_everything_uses_the_primary(rf):
    db, _response = _read_db_during(rf.get("/board/"))
    assert db == "default"
    assert PIN_COOKIE not in _read_db_during(rf.post("/x/"))[1].cookies
