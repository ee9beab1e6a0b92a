"""The handover pack now that the rhythm exists: each open activity's latest confidence rating, the open risks
and issues, and the risk log's pending decisions, on the page and in the Word document."""

import io

import pytest
from docx import Document

from tests.commitments.test_handover import late_in_the_year, successor  # noqa: F401  (fixtures)
from tracker.models import RaidEntry
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def rhythm(activity, coordinator_actor, priorities):
    services_delivery.assessment_create(actor=coordinator_actor, activity=activity, rating="green",
                                        narrative="On course")
    services_delivery.assessment_create(actor=coordinator_actor, activity=activity, rating="amber_red",
                                        narrative="Range not booked")
    risk = services_delivery.raid_create(actor=coordinator_actor, activity=activity, data={
        "statement": "Range double-booked", "likelihood": 4, "impact": 5, "owner": "J. Range",
        "response": "Book Brest as fallback"})
    decision = services_delivery.raid_create(actor=coordinator_actor, priority=priorities[0], data={
        "kind": "decision", "statement": "Choose the host city of the institutes' meeting", "owner": "Secretariat"})
    closed = services_delivery.raid_create(actor=coordinator_actor, priority=priorities[0], data={
        "kind": "risk", "statement": "Budget cut", "likelihood": 2, "impact": 2})
    services_delivery.raid_update(actor=coordinator_actor, entry=closed, changes={"status": RaidEntry.Status.CLOSED})
    settled = services_delivery.raid_create(actor=coordinator_actor, priority=priorities[0], data={
        "kind": "decision", "statement": "Settled decision"})
    services_delivery.raid_update(actor=coordinator_actor, entry=settled, changes={"status": RaidEntry.Status.CLOSED})
    return {"risk": risk, "decision": decision}


def test_the_handover_page_shows_ratings_open_risks_and_pending_decisions(signed_in, viewer, activity, successor,  # noqa: F811
                                                                          rhythm, django_assert_max_num_queries):
    client = signed_in(viewer)
    client.get("/handover/")  # warm the session and the site's caches
    with django_assert_max_num_queries(25):
        html = client.get("/handover/").content.decode()
    row = html[html.index(f'data-activity="{activity.pk}"'):]
    rating = row[row.index('data-testid="handover-rating"'):][:600]
    assert 'data-rating="amber_red"' in rating and 'data-trend="down"' in rating and "Amber/red" in rating
    risks = html[html.index('data-testid="handover-risks"'):html.index('data-testid="handover-decisions"')]
    assert "Range double-booked" in risks and "20 (4×5)" in risks and "J. Range" in risks
    assert "Budget cut" not in risks and "Choose the host city" not in risks
    decisions = html[html.index('data-testid="handover-decisions"'):]
    assert "Choose the host city of the institutes&#x27; meeting" in decisions
    assert "Settled decision" not in html


def test_the_handover_word_document_carries_them_too(signed_in, viewer, activity, successor, rhythm):  # noqa: F811
    response = signed_in(viewer).get("/handover.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Delivery confidence: Amber/red (fell)" in text
    assert "Open risks and issues" in text and "Range double-booked" in text and "Budget cut" not in text
    decisions = text[text.index("Pending decisions"):]
    assert "Choose the host city of the institutes' meeting. Owner: Secretariat." in decisions
    assert "Settled decision" not in text


def test_the_pack_stays_within_its_queries_with_many_rows(signed_in, viewer, priorities, body, successor,  # noqa: F811
                                                          coordinator_actor):
    from tests import factories

    def count_for(n: int) -> int:
        for i in range(n):
            a = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title=f"Work {i}")
            services_delivery.assessment_create(actor=coordinator_actor, activity=a, rating="amber", narrative="x")
            services_delivery.raid_create(actor=coordinator_actor, activity=a, data={
                "statement": f"Risk {i}", "likelihood": 2, "impact": 3})
        client = signed_in(viewer)
        client.get("/handover/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/handover/").status_code == 200
        return len(queries)

    small = count_for(10)
    large = count_for(90)
    assert large == small
