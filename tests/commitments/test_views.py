"""Commitments on the web board: coverage, a source's passages, signing off an outcome, declared versus
delivered as a page, a Word document and CSV, and its section of the year report."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from docx import Document

from tests import factories
from tests.web.conftest import count_queries
from tracker import clock
from tracker.models import Commitment
from tracker.workflow import Status

pytestmark = pytest.mark.django_db

MID_YEAR = dt.date(2023, 7, 1)


@pytest.fixture(autouse=True)
def mid_year(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: MID_YEAR)


@pytest.fixture
def register(priorities, body, activity):
    """Commitments under priorities 3 and 4: one on track, one at risk, one kept, one with no activity, and
    an activity that serves none."""
    source = factories.SourceFactory(presidency=priorities[0].presidency)
    troubled = factories.ActivityFactory(priority=priorities[2], responsible_body=body, title="Readiness drills",
                                         status=Status.AT_RISK, due_date=dt.date(2023, 10, 1))
    idle = factories.ActivityFactory(priority=priorities[3], responsible_body=body, title="Unattached study")
    make = factories.CommitmentFactory
    on_track = make(source=source, priority=priorities[2], number=2, passage=27, statement="Joint exercises",
                    quote="will be planned and carried out in Belarus’ territory in 2023")
    at_risk = make(source=source, priority=priorities[2], number=1, passage=27, statement="Readiness",
                   quote="increase the readiness of components")
    kept = make(source=source, priority=priorities[2], number=3, passage=28, statement="Standardisation",
                quote="common approaches in the area of standardisation", outcome="kept",
                outcome_evidence="Approaches adopted in May")
    orphan = make(source=source, priority=priorities[3], number=4, passage=30, statement="Institutes in Minsk",
                  quote="a meeting of the heads of national analytical institutes")
    on_track.activities.add(activity)
    at_risk.activities.add(troubled)
    kept.activities.add(activity)
    return {"source": source, "on_track": on_track, "at_risk": at_risk, "kept": kept, "orphan": orphan,
            "idle": idle, "troubled": troubled}


def _row(html: str, number: int) -> str:
    start = html.index(f'data-priority="{number}"')
    return html[start: html.index("</tr>", start)]


def test_coverage_counts_each_priority_and_lists_the_gaps(signed_in, viewer, register):
    html = signed_in(viewer).get("/commitments/").content.decode()
    third = _row(html, 3)
    assert 'data-count="total">3<' in third
    assert 'data-count="on_track">1<' in third and 'data-count="at_risk">1<' in third
    assert 'data-count="kept">1<' in third
    assert 'data-count="no_activity">1<' in _row(html, 4)
    gaps = html[html.index('data-testid="commitments-without-activity"'):]
    assert "Institutes in Minsk" in gaps[: gaps.index("</section>")]
    idle = html[html.index('data-testid="activities-without-commitment"'):]
    idle = idle[: idle.index("</section>")]
    assert "Unattached study" in idle and "Readiness drills" not in idle


def test_coverage_costs_the_same_queries_for_more_commitments(signed_in, viewer, register, priorities, body):
    client = signed_in(viewer)
    few, _ = count_queries(client, "/commitments/")
    for n in range(10):
        extra = factories.CommitmentFactory(source=register["source"], priority=priorities[n % 4], number=100 + n)
        extra.activities.add(factories.ActivityFactory(priority=priorities[n % 4], responsible_body=body))
    many, response = count_queries(client, "/commitments/")
    assert response.status_code == 200 and many <= few


def test_a_source_lists_its_quotations_in_the_order_of_the_text(signed_in, viewer, register):
    html = signed_in(viewer).get(f"/sources/{register['source'].pk}/").content.decode()
    positions = [html.index(register[key].quote) for key in ("at_risk", "on_track", "kept", "orphan")]
    assert positions == sorted(positions)
    assert f'href="/commitments/{register["orphan"].pk}/"' in html


def test_a_coordinator_records_an_outcome_with_evidence(signed_in, coordinator, register):
    client = signed_in(coordinator)
    url = f"/commitments/{register['on_track'].pk}/"
    assert 'name="evidence"' in client.get(url).content.decode()
    response = client.post(url + "outcome/", {"outcome": "kept", "evidence": "Exercise held in September"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Exercise held in September" in page and "Signed off by coordinator" in page
    assert Commitment.objects.get(pk=register["on_track"].pk).outcome == "kept"


def test_an_outcome_without_evidence_is_refused_next_to_the_field(signed_in, coordinator, register):
    url = f"/commitments/{register['on_track'].pk}/outcome/"
    response = signed_in(coordinator).post(url, {"outcome": "kept", "evidence": "  "})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert Commitment.objects.get(pk=register["on_track"].pk).outcome == ""


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_others_see_no_form_and_are_refused(signed_in, register, who, request):
    client = signed_in(request.getfixturevalue(who))
    url = f"/commitments/{register['on_track'].pk}/"
    assert 'name="evidence"' not in client.get(url).content.decode()
    assert client.post(url + "outcome/", {"outcome": "kept", "evidence": "x"}).status_code == 403
    assert Commitment.objects.get(pk=register["on_track"].pk).outcome == ""


def test_declared_versus_delivered_page_word_and_csv(signed_in, viewer, register):
    client = signed_in(viewer)
    html = client.get("/reports/delivered/").content.decode()
    assert "Approaches adopted in May" in html and "Joint exercises in Belarus" in html
    response = client.get("/reports/delivered.docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Evidence: Approaches adopted in May" in text
    assert "1. Readiness" in text and "State: At risk" in text
    response = client.get("/reports/delivered.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    by_number = {row["number"]: row for row in rows}
    assert by_number["3"]["outcome"] == "kept" and by_number["3"]["evidence"] == "Approaches adopted in May"
    assert by_number["4"]["state"] == "no_activity" and by_number["1"]["state"] == "at_risk"


def test_the_year_report_has_a_declared_versus_delivered_section(signed_in, viewer, register):
    html = signed_in(viewer).get("/reports/year/").content.decode()
    section = html[html.index('id="report-delivered"'):]
    assert "Standardisation" in section and "Approaches adopted in May" in section


def test_pages_read_in_russian(signed_in, viewer, register):
    client = signed_in(viewer)
    html = client.get("/commitments/", headers={"Accept-Language": "ru"}).content.decode()
    assert "Обязательства" in html
    html = client.get("/reports/delivered/", headers={"Accept-Language": "ru"}).content.decode()
    assert "Заявлено и выполнено" in html
