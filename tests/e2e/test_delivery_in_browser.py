"""The secretariat's rhythm in a real browser: an editor rates an activity and sees the tracker disagree, a
coordinator runs a stocktake and downloads its Word pack, which opens with python-docx."""

from __future__ import annotations

import datetime as dt

import pytest
from docx import Document

from tests.e2e.conftest import log_in, screenshot
from tracker import clock, services, workflow
from tracker.models import Activity, Channel
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _late_activity_of_the_ministry() -> Activity:
    today = clock.today()
    ministry = Activity.objects.filter(responsible_body__code="by-mod").order_by("due_date", "id")
    late = [a for a in ministry if workflow.is_overdue(status=a.status, due_date=a.due_date, today=today)]
    if not late:  # on the demo's day (make screenshots) nothing of the ministry is late yet: one slipped
        first = ministry.first()
        services.activity_update(actor=Actor.system(), activity=first, changes={
            "start_date": min(first.start_date or today, today - dt.timedelta(days=30)),
            "due_date": today - dt.timedelta(days=3),
        })
        late = [Activity.objects.get(pk=first.pk)]
    return late[0]


def test_assess_see_the_disagreement_run_a_stocktake_and_download_the_pack(browser, page, seeded, tmp_path):
    late = _late_activity_of_the_ministry()
    log_in(page, "editor", f"/activities/{late.pk}/")
    page.get_by_text("Record a new assessment").click()
    page.locator("input[name=rating][value=green]").check()
    page.fill("#assess_narrative", "The units are ready; only the paperwork is late.")
    page.click("#assess-submit")
    page.wait_for_selector(".rating-disagrees")
    note = page.locator("#confidence .rating-disagrees").inner_text()
    assert "but overdue" in note
    assert page.locator("#confidence [data-rating=green]").count() == 1

    # Ratings, a risk and an escalation for the pictures and the stocktake.
    coordinator = Actor.for_user(seeded["coordinator"], Channel.WEB)
    priority = late.priority
    services_delivery.assessment_create(actor=coordinator, priority=priority, rating="amber",
                                        narrative="Two exercises depend on one range.")
    for likelihood, impact, statement in [(4, 5, "The range is double-booked in September"),
                                          (2, 3, "Translators short for the summit"),
                                          (5, 4, "Host-nation approvals arrive late")]:
        services_delivery.raid_create(actor=coordinator, priority=priority, data={
            "statement": statement, "likelihood": likelihood, "impact": impact, "escalated": likelihood == 5,
            "owner": "Secretariat"})
    services_delivery.raid_create(actor=coordinator, priority=priority, data={
        "kind": "decision", "statement": "Choose the exercise range", "owner": "Council of Defence Ministers"})
    page.goto(f"{page.base}/board/")
    page.wait_for_selector(".card__rating")
    screenshot(page, "delivery-ratings-on-cards", full_page=False)

    # The coordinator: the priority's heat map, then a stocktake.
    page.context.clear_cookies()
    log_in(page, "coordinator", f"/priorities/{priority.pk}/")
    assert page.locator('#heat-map td[data-likelihood="4"][data-impact="5"]').get_attribute("data-count") == "1"
    screenshot(page, "delivery-priority-heat-map")
    page.goto(f"{page.base}/stocktakes/")
    page.click("#stocktake-open")
    page.wait_for_selector("#stocktake-activities")
    page.fill("#id_attendees", "Secretary of the CSTO Council\nMinistry of Defence of Belarus")
    page.click("#stocktake-attendees-submit")
    page.select_option("#id_kind", "decision")
    page.fill("#id_text", "Hold the joint exercise on the second range in September")
    page.click("#stocktake-item-submit")
    page.wait_for_selector("#stocktake-decisions >> text=second range")
    assert late.display_title in page.locator("#stocktake-activities").inner_text()
    screenshot(page, "delivery-stocktake")
    with page.expect_download() as download:
        page.click("#stocktake-docx")
    path = tmp_path / "pack.docx"
    download.value.save_as(path)
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Hold the joint exercise on the second range in September" in text
    assert "Secretary of the CSTO Council" in text
    assert late.display_title in cells and "Green" in cells
