"""Every page, report, export, feed and API list is scoped to one presidency: with a second presidency on
the agenda, a walk through them finds only the chosen one's activities (the header's choice on the pages,
`?presidency=` in the feed's link and on the API's lists)."""

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import client_for_user
from tracker import clock
from tracker.models import Channel, Participation, Presidency
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db

OLD, NEW = "Joint exercises in Belarus", "Astana consultations"


@pytest.fixture(autouse=True)
def late_in_2023(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2023, 12, 1))


@pytest.fixture
def two(presidency, priorities, body, activity, coordinator):
    assert activity.title == OLD
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    nxt = Presidency.objects.create(code="csto-2024-kz", organisation="CSTO", chair_state=kz, predecessor=presidency,
                                    period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    later = factories.PriorityFactory(presidency=nxt, number=1, title="Kazakh priority")
    new = factories.ActivityFactory(priority=later, responsible_body=body, title=NEW, start_date=None,
                                    due_date=dt.date(2024, 5, 1))
    Participation.objects.create(activity=new, memberstate=kz, role="host")
    Participation.objects.create(activity=activity, memberstate=kz, role="participant")
    actor = Actor.for_user(coordinator, Channel.WEB)
    for a in (activity, new):
        services_delivery.assessment_create(actor=actor, activity=a, rating="amber", narrative=f"About {a.title}")
        services_delivery.raid_create(actor=actor, activity=a, data={
            "statement": f"Risk of {a.title}", "likelihood": 5, "impact": 5, "escalated": True})
    services_delivery.stocktake_open(actor=actor, presidency=presidency, title="Stocktake 2023")
    services_delivery.stocktake_open(actor=actor, presidency=nxt, title="Stocktake 2024")
    return {"old": presidency, "new": nxt, "old_activity": activity, "new_activity": new}


PAGES = [
    "/", "/board/", "/timeline/", "/calendar/?month=2024-05", "/reports/", "/reports/year/",
    "/reports/activities.csv", "/reports/assessments.csv", "/reports/risks.csv", "/commitments/",
    "/participation/", "/states/KZ/", "/stocktakes/", "/handover/", "/reports/delivered/",
    "/reports/delivered.csv",
]


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_every_page_and_report_follows_the_chosen_presidency(signed_in, viewer, two):
    client = signed_in(viewer)
    client.post("/presidency/", {"presidency": two["new"].pk})
    leaks = []
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        if OLD in _text(response):
            leaks.append(url)
    assert not leaks, f"the 2023 activity shows under the 2024 presidency on {leaks}"
    # And back: the 2023 presidency's pages do not show the 2024 activity.
    client.post("/presidency/", {"presidency": two["old"].pk})
    for url in [u.replace("2024-05", "2023-06") for u in PAGES]:
        assert NEW not in _text(client.get(url)), url
    assert "Stocktake 2023" in _text(client.get("/stocktakes/"))


def test_the_calendar_feed_follows_the_presidency_on_screen(signed_in, viewer, two):
    client = signed_in(viewer)
    token = viewer.staff_profile.calendar_token
    # The current presidency (2023): the link names none and the feed shows its deadlines.
    page = _text(client.get("/calendar/"))
    assert f"/calendar/feed/{token}.ics\"" in page
    feed = _text(client.get(f"/calendar/feed/{token}.ics"))
    assert OLD in feed and NEW not in feed
    # The next presidency chosen in the header: the link carries it, and the feed follows.
    client.post("/presidency/", {"presidency": two["new"].pk})
    page = _text(client.get("/calendar/"))
    assert f"/calendar/feed/{token}.ics?presidency={two['new'].pk}" in page
    feed = _text(client.get(f"/calendar/feed/{token}.ics?presidency={two['new'].pk}"))
    assert NEW in feed and OLD not in feed
    assert "CSTO 2024" in feed or "2024" in feed
    assert OLD in _text(client.get(f"/calendar/feed/{token}.ics?presidency=current"))
    for bad in ("999999", "abc", "1" * 40):
        assert client.get(f"/calendar/feed/{token}.ics?presidency={bad}").status_code == 404


LISTS = ["activities", "participations", "assessments", "risks", "stocktakes", "commitments", "priorities"]


def test_every_api_list_takes_a_presidency_filter(viewer, two):
    client = client_for_user(viewer)
    old, new = two["old"], two["new"]

    def rows(path: str, query: str) -> list[dict]:
        response = client.get(f"/api/v1/{path}/?{query}")
        assert response.status_code == 200, (path, query, response.content[:300])
        body = response.json()
        return body["results"] if isinstance(body, dict) else body

    for path in LISTS:
        everything = rows(path, "")
        only_new = rows(path, f"presidency={new.pk}")
        current = rows(path, "presidency=current")
        assert len(only_new) < len(everything) or path == "commitments", path
        assert {r["id"] for r in only_new}.isdisjoint({r["id"] for r in current}), path
        assert {r["id"] for r in current} | {r["id"] for r in only_new} == {r["id"] for r in everything}, path
        refused = client.get(f"/api/v1/{path}/?presidency=abc")
        assert refused.status_code == 400 and "presidency" in refused.json()["errors"], path
    assert [r["title"] for r in rows("activities", f"presidency={new.pk}")] == [NEW]
    assert [r["title"] for r in rows("activities", "presidency=current")] == [OLD]
    assert {r["activity"] for r in rows("participations", f"presidency={old.pk}")} == {two["old_activity"].pk}
