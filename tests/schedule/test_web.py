"""The schedule on the web: links on the activity page, the timeline's arrows and marks, the report."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests import factories
from tests.web.conftest import bulk_activities, count_queries
from tracker import clock, services
from tracker.models import Baseline, Dependency
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def mid_presidency(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))


@pytest.fixture
def pair(priorities, body):
    a = factories.ActivityFactory(priority=priorities[1], responsible_body=body, title="Form the network",
                                  start_date=D(2023, 3, 1), due_date=D(2023, 4, 30))
    b = factories.ActivityFactory(priority=priorities[1], responsible_body=body, title="Heads of institutes meet",
                                  start_date=D(2023, 5, 1), due_date=D(2023, 5, 31))
    return a, b


def test_link_on_the_activity_page_lists_both_ways(signed_in, editor, pair):
    a, b = pair
    client = signed_in(editor)
    response = client.post(f"/activities/{b.pk}/links/", {"link-direction": "waits_on", "link-other": a.pk,
                                                           "link-kind": "fs"})
    assert response.status_code == 302
    link = Dependency.objects.get()
    assert (link.predecessor, link.successor, link.kind) == (a, b, "fs")
    page = client.get(f"/activities/{b.pk}/").content.decode()
    assert 'id="waits-on"' in page and "Form the network" in page.split('id="waits-on"')[1]
    page = client.get(f"/activities/{a.pk}/").content.decode()
    assert "Heads of institutes meet" in page.split('id="needed-by"')[1]
    assert "forecast: not enough data" in page


def test_a_cycle_is_refused_on_the_page_with_the_path(signed_in, editor, pair):
    a, b = pair
    client = signed_in(editor)
    client.post(f"/activities/{b.pk}/links/", {"link-direction": "waits_on", "link-other": a.pk, "link-kind": "fs"})
    response = client.post(f"/activities/{b.pk}/links/", {"link-direction": "needed_by", "link-other": a.pk,
                                                           "link-kind": "fs"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "would make a cycle" in text and "Form the network" in text
    assert Dependency.objects.count() == 1


def test_a_viewer_cannot_link_and_bad_input_changes_nothing(signed_in, viewer, editor, pair):
    a, b = pair
    response = signed_in(viewer).post(f"/activities/{b.pk}/links/", {"link-direction": "waits_on",
                                                                      "link-other": a.pk, "link-kind": "fs"})
    assert response.status_code == 403
    response = signed_in(editor).post(f"/activities/{b.pk}/links/", {"link-direction": "sideways",
                                                                      "link-other": "x", "link-kind": "zz"})
    assert response.status_code == 400
    assert Dependency.objects.count() == 0


def test_moving_the_predecessor_shows_the_slip_flag_and_the_arrow(signed_in, editor, viewer, pair):
    a, b = pair
    services.dependency_create(actor=Actor.system(), predecessor=a, successor=b)
    a.refresh_from_db()
    services.activity_update(actor=Actor.system(), activity=a, changes={"due_date": D(2023, 5, 15)},
                             expected_version=a.version)
    page = signed_in(viewer).get(f"/activities/{b.pk}/").content.decode()
    assert "Waiting on Form the network (due after this one starts)" in page
    timeline = signed_in(viewer).get("/timeline/").content.decode()
    arrows = json.loads(re.search(r'id="timeline-arrows"[^>]*>(.*?)</script>', timeline, re.S).group(1))
    assert arrows == [[a.pk, b.pk, "fs", False]] or arrows[0][:3] == [a.pk, b.pk, "fs"]
    assert f'id="tl-bar-{b.pk}"' in timeline and "Waiting on Form the network" in timeline
    assert "js/schedule.js" in timeline
    removed = signed_in(editor).post(f"/links/{Dependency.objects.get().pk}/delete/", {"activity": b.pk})
    assert removed.status_code == 302 and Dependency.objects.count() == 0


def test_baseline_shadow_and_slippage(signed_in, coordinator, editor, viewer, pair):
    a, _b = pair
    client = signed_in(coordinator)
    assert signed_in(editor).post("/reports/schedule/baselines/", {"reason": "x"}).status_code == 403
    assert client.post("/reports/schedule/baselines/", {"reason": ""}).status_code == 400
    assert client.post("/reports/schedule/baselines/", {"reason": "Approved at the March stocktake"}
                       ).status_code == 302
    a.refresh_from_db()
    services.activity_update(actor=Actor.system(), activity=a, changes={"due_date": D(2023, 5, 10)},
                             expected_version=a.version)
    timeline = signed_in(viewer).get("/timeline/").content.decode()
    assert 'class="timeline__baseline"' in timeline and "+10 days since the baseline" in timeline
    page = signed_in(viewer).get(f"/activities/{a.pk}/").content.decode()
    assert "slipped 10 days since the baseline" in page
    report = signed_in(viewer).get("/reports/schedule/").content.decode()
    assert "Approved at the March stocktake" in report
    slip = report.split('id="slip-priority"')[1]
    assert re.search(r"<td>2</td><td>1</td><td>10</td><td>10</td>", slip)
    first = Baseline.objects.get()
    client.post("/reports/schedule/baselines/", {"reason": "Re-planned"})
    compare = signed_in(viewer).get(f"/reports/schedule/?from={first.pk}&to={Baseline.objects.first().pk}")
    assert re.search(r"<td>2</td><td>1</td><td>10</td><td>10</td>", compare.content.decode())
    assert signed_in(viewer).get("/reports/schedule/?from=nonsense").status_code == 404


def test_timeline_with_links_keeps_its_query_count(signed_in, viewer, priorities, body, other_body):
    client = signed_in(viewer)

    def grow(n):
        acts = bulk_activities(priorities, [body, other_body], n)
        Dependency.objects.bulk_create([Dependency(predecessor=acts[i], successor=acts[i + 1])
                                        for i in range(len(acts) - 1)])

    grow(10)
    few, response = count_queries(client, "/timeline/")
    assert response.status_code == 200
    grow(100)
    many, _ = count_queries(client, "/timeline/")
    assert many <= few


def test_the_report_names_each_critical_chain_a_lone_one_too(signed_in, editor, viewer, pair, priorities, body):
    a, b = pair
    factories.ActivityFactory(priority=priorities[3], responsible_body=body, title="Lone summit",
                              title_ru="Одинокий саммит", start_date=D(2023, 3, 1), due_date=D(2023, 6, 30))
    services.dependency_create(actor=Actor.for_user(editor), predecessor=a, successor=b)
    client = signed_in(viewer)
    report = client.get("/reports/schedule/").content.decode()
    assert "Form the network → Heads of institutes meet" in report and "<td>Lone summit</td>" in report
    client.cookies["django_language"] = "ru"
    assert "<td>Одинокий саммит</td>" in client.get("/reports/schedule/").content.decode()
