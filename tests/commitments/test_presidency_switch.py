"""The header's presidency switcher: the chosen presidency is on every page of the session."""

import datetime as dt

import pytest

from tests import factories
from tracker.models import Presidency

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(presidency, priorities, body, activity):
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    nxt = Presidency.objects.create(code="csto-2024-kz", organisation="CSTO", chair_state=kz, predecessor=presidency,
                                    period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    later = factories.PriorityFactory(presidency=nxt, number=1, title="Kazakh priority")
    factories.ActivityFactory(priority=later, responsible_body=body, title="Astana consultations",
                              start_date=None, due_date=dt.date(2024, 5, 1))
    return {"old": presidency, "new": nxt}


def test_switching_the_presidency_scopes_the_pages_of_the_session(signed_in, viewer, two, activity):
    client = signed_in(viewer)
    chooser = client.get("/presidency/?next=/board/").content.decode()
    assert "CSTO 2024: Kazakhstan" in chooser and "CSTO 2023: Belarus" in chooser
    response = client.post("/presidency/", {"presidency": two["old"].pk, "next": "/board/"})
    assert response.status_code == 302 and response["Location"] == "/board/"
    board = client.get("/board/").content.decode()
    assert activity.title in board and "Astana consultations" not in board
    assert 'data-testid="presidency-switch"' in board and "CSTO 2023: Belarus" in board
    client.post("/presidency/", {"presidency": two["new"].pk})
    board = client.get("/board/").content.decode()
    assert "Astana consultations" in board and activity.title not in board
    assert "Kazakh priority" in client.get("/reports/").content.decode()


def test_a_choice_outside_the_list_is_refused_and_changes_nothing(signed_in, viewer, two):
    client = signed_in(viewer)
    client.post("/presidency/", {"presidency": two["old"].pk})
    response = client.post("/presidency/", {"presidency": "abc"})
    assert response.status_code == 400 and "Choose one of the presidencies listed" in response.content.decode()
    assert client.session["presidency_id"] == two["old"].pk


def test_an_off_site_next_is_not_followed(signed_in, viewer, two):
    response = signed_in(viewer).post("/presidency/", {"presidency": two["old"].pk, "next": "https://evil.example/"})
    assert response["Location"] == "/"
