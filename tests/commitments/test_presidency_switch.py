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


def test_the_switch_names_the_presidency_in_the_reader_s_language(signed_in, viewer, two):
    """The header read "CSTO 2023" in Russian too: the short name has a Russian variant, English when blank."""
    two["old"].chair_state.name_ru = "Беларусь"
    two["old"].chair_state.save()
    Presidency.objects.filter(pk=two["old"].pk).update(organisation_short="CSTO", organisation_short_ru="ОДКБ")
    client = signed_in(viewer)
    client.post("/presidency/", {"presidency": two["old"].pk})
    client.cookies["django_language"] = "ru"
    assert "ОДКБ 2023: Беларусь" in client.get("/board/").content.decode()
    client.cookies["django_language"] = "en"
    assert "CSTO 2023: Belarus" in client.get("/board/").content.decode()
    client.post("/presidency/", {"presidency": two["new"].pk})
    client.cookies["django_language"] = "ru"
    assert "CSTO 2024" in client.get("/board/").content.decode()  # no Russian short name given: the English one
