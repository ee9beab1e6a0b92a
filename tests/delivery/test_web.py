"""The rhythm on the web board: what each role sees and may do, bad input answered next to the field, and
pages whose query counts do not grow with ratings and risks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from docx import Document

from tests import factories
from tests.delivery.conftest import TODAY
from tests.web.conftest import bulk_activities
from tracker.models import Channel, ConfidenceAssessment, RaidEntry, Stocktake, StocktakeItem
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(rating="amber", narrative="Venue not confirmed", next_review=""):
    return {"rating": rating, "narrative": narrative, "actions": "", "next_review": next_review}


def test_an_editor_records_an_assessment_and_sees_it_with_its_trend(editor, activity):
    client = login(editor)
    assert client.post(f"/activities/{activity.pk}/assess/", _form("green", "All set")).status_code == 302
    assert client.post(f"/activities/{activity.pk}/assess/", _form("amber", "Venue lost")).status_code == 302
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert 'data-rating="amber"' in page and 'data-trend="down"' in page
    assert "Venue lost" in page and "All set" in page  # the small history
    assert "Amber/red" in page and "in doubt" in page  # the scale's definitions where it is chosen


def test_the_disagreement_note_shows_beside_a_green_rating_on_an_overdue_activity(editor, priorities, body):
    late = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Late thing",
                                     start_date=dt.date(2023, 1, 5), due_date=TODAY - dt.timedelta(days=5))
    login(editor).post(f"/activities/{late.pk}/assess/", _form("green", "Fine"))
    page = login(editor).get(f"/activities/{late.pk}/").content.decode()
    assert "rated Green, but overdue" in page


def test_a_rating_without_a_narrative_is_refused_next_to_the_field(editor, activity):
    response = login(editor).post(f"/activities/{activity.pk}/assess/", _form(narrative=""))
    assert response.status_code == 400
    assert "field--error" in response.content.decode()
    past = login(editor).post(f"/activities/{activity.pk}/assess/", _form(next_review="2023-01-02"))
    assert past.status_code == 400 and "cannot be in the past" in past.content.decode()
    assert not ConfidenceAssessment.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_others_are_refused_and_not_offered_the_form(request, activity, role):
    client = login(request.getfixturevalue(role))
    assert client.post(f"/activities/{activity.pk}/assess/", _form()).status_code == 403
    assert 'id="assess-form"' not in client.get(f"/activities/{activity.pk}/").content.decode()
    assert not ConfidenceAssessment.objects.exists()


def test_the_russian_page_names_the_rating_in_russian(editor, activity):
    login(editor).post(f"/activities/{activity.pk}/assess/", _form("red", "Плохо"))
    client = login(editor)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/activities/{activity.pk}/", headers={"Accept-Language": "ru"}).content.decode()
    assert "Красный" in page and "Уверенность в выполнении" in page


def test_priority_page_heat_map_and_risk_log(coordinator, editor, priorities):
    client = login(coordinator)
    response = client.post(f"/priorities/{priorities[0].pk}/risks/", {
        "kind": "risk", "statement": "Funding not agreed", "likelihood": 4, "impact": 5, "status": "open",
        "owner": "Secretariat"})
    assert response.status_code == 302
    page = client.get(f"/priorities/{priorities[0].pk}/").content.decode()
    assert 'data-likelihood="4" data-impact="5" data-count="1"' in page
    assert "Funding not agreed" in page
    bad = client.post(f"/priorities/{priorities[0].pk}/risks/", {
        "kind": "risk", "statement": "x", "likelihood": 7, "impact": 5, "status": "open"})
    assert bad.status_code == 400 and RaidEntry.objects.count() == 1
    assert login(editor).post(f"/priorities/{priorities[0].pk}/assess/", _form()).status_code == 403
    assert client.post(f"/priorities/{priorities[0].pk}/assess/", _form("amber_red", "Slow")).status_code == 302
    assert 'data-rating="amber_red"' in client.get(f"/priorities/{priorities[0].pk}/").content.decode()


def test_a_stocktake_from_opening_to_the_word_pack(coordinator, editor, presidency, activity):
    client = login(coordinator)
    services_delivery.assessment_create(actor=Actor.for_user(editor, Channel.WEB), activity=activity,
                                        rating="amber", narrative="Venue")
    opened = client.post("/stocktakes/open/", {"priority": "", "held_on": "2023-07-14", "title": ""})
    stocktake = Stocktake.objects.get()
    assert opened["Location"] == f"/stocktakes/{stocktake.pk}/"
    client.post(f"/stocktakes/{stocktake.pk}/attendees/", {"attendees": "A. Secretary\nB. Minister"})
    client.post(f"/stocktakes/{stocktake.pk}/items/", {"kind": "decision", "text": "Move the exercise to September",
                                                       "activity": activity.pk})
    screen = client.get(f"/stocktakes/{stocktake.pk}/").content.decode()
    assert "Joint exercises in Belarus" in screen and "Move the exercise to September" in screen
    assert client.post(f"/stocktakes/{stocktake.pk}/close/").status_code == 302
    refused = client.post(f"/stocktakes/{stocktake.pk}/items/", {"kind": "action", "text": "Too late"})
    assert refused.status_code == 409 and "can no longer be changed" in refused.content.decode()
    assert StocktakeItem.objects.count() == 1
    pack = client.get(f"/stocktakes/{stocktake.pk}/pack.docx")
    assert pack.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(pack.content)).paragraphs)
    cells = " ".join(c.text for t in Document(io.BytesIO(pack.content)).tables for r in t.rows for c in r.cells)
    assert "Move the exercise to September" in text and "B. Minister" in text
    assert "Joint exercises in Belarus" in cells and "Amber" in cells
    assert "Move the exercise" in client.get(f"/stocktakes/{stocktake.pk}/print/").content.decode()


def test_only_coordinators_run_stocktakes_on_the_web(editor, presidency):
    assert login(editor).post("/stocktakes/open/", {}).status_code == 403
    assert 'id="stocktake-open"' not in login(editor).get("/stocktakes/").content.decode()
    assert not Stocktake.objects.exists()


def _rate_and_log(activities, user, priority):
    actor = Actor.for_user(user, Channel.WEB)
    services_delivery.assessment_create(actor=actor, priority=priority, rating="amber", narrative="p")
    for n, item in enumerate(activities):
        services_delivery.assessment_create(actor=actor, activity=item, rating=["green", "amber", "red"][n % 3],
                                            narrative="n", next_review=TODAY)
        services_delivery.raid_create(actor=actor, activity=item, data={
            "statement": f"risk {n}", "likelihood": 5, "impact": 4, "escalated": n % 2 == 0})


@pytest.mark.parametrize("url", ["/", "/board/"])
def test_dashboard_and_board_queries_stay_bounded_with_ratings_and_risks(
        url, coordinator, priorities, body, other_body, django_assert_max_num_queries, monkeypatch):
    from tracker import clock

    client = login(coordinator)
    few = bulk_activities(priorities, [body, other_body], 10)
    _rate_and_log(few, coordinator, priorities[0])
    # The pages are read after the year: every review is overdue and no deadline is ahead, at both sizes.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2024, 1, 15))
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    many = bulk_activities(priorities, [body, other_body], 100, prefix="More")
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    _rate_and_log(many, coordinator, priorities[0])
    monkeypatch.setattr(clock, "today", lambda: dt.date(2024, 1, 15))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "rating--" in html
    if url == "/":
        assert 'id="attention-risks"' in html and 'id="overdue-reviews"' in html


def test_admin_data_entry_goes_through_the_services(editor, outsider, coordinator, activity):
    admin = login(editor)
    added = admin.post("/admin/tracker/confidenceassessment/add/", {
        "activity": activity.pk, "rating": "amber", "narrative": "Venue", "actions": "", "next_review": ""})
    assert added.status_code == 302, added.content[:500]
    made = ConfidenceAssessment.objects.get()
    assert made.assessor_name == "editor" and made.assessed_on == TODAY  # stamped by the service
    refused = login(outsider).post("/admin/tracker/confidenceassessment/add/", {
        "activity": activity.pk, "rating": "red", "narrative": "Not mine"})
    assert refused.status_code == 302 and ConfidenceAssessment.objects.count() == 1  # refused with a message
    seven = login(coordinator).post("/admin/tracker/raidentry/add/", {
        "priority": activity.priority_id, "kind": "risk", "statement": "x", "likelihood": 7, "impact": 1,
        "status": "open"})
    assert seven.status_code == 200 and "likelihood" in seven.content.decode() and not RaidEntry.objects.exists()
    assert login(coordinator).post("/admin/tracker/raidentry/add/", {
        "priority": activity.priority_id, "activity": activity.pk, "kind": "risk", "statement": "Range",
        "likelihood": 3, "impact": 3, "status": "open"}).status_code == 302
    entry = RaidEntry.objects.get()
    assert entry.history.first().history_change_reason == "coordinator"
