"""Read access for a set period (the incoming presidency's people before their term): it ends by itself."""

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import client_for_user
from tracker import clock
from tracker.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def incoming(db):
    guest = factories.make_staff("incoming", Role.VIEWER, is_staff=False)
    guest.staff_profile.access_until = dt.date(2023, 12, 31)
    guest.staff_profile.save()
    return guest


def test_the_access_works_until_its_last_day_then_ends(signed_in, incoming, presidency, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2023, 12, 31))
    client = signed_in(incoming)
    assert client.get("/commitments/").status_code == 200
    assert client_for_user(incoming).get("/api/v1/activities/").status_code == 200
    monkeypatch.setattr(clock, "today", lambda: dt.date(2024, 1, 1))
    response = client.get("/commitments/")
    assert response.status_code == 403 and "Your access to the agenda has ended" in response.content.decode()
    assert client_for_user(incoming).get("/api/v1/activities/").status_code == 403
