"""Commitments in a real browser: a coordinator signs off an outcome with its evidence, opens declared versus
delivered and downloads the Word file; an open activity is handed over to a new presidency and shows there.
Screenshots: coverage, the participation matrix, the handover page."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document

from tests import factories
from tests.e2e.conftest import log_in, screenshot
from tracker import clock
from tracker.models import Activity, Commitment, MemberState, Presidency
from tracker.workflow import Status

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_records_an_outcome_and_downloads_declared_versus_delivered(page, seeded):
    log_in(page, "coordinator", "/commitments/")
    screenshot(page, "commitments-coverage")
    commitment = Commitment.objects.get(number=8)  # the joint exercises in Belarus
    page.goto(f"{page.base}/commitments/{commitment.pk}/")
    page.locator("#id_outcome").select_option("kept")
    page.locator("#id_evidence").fill("Exercises held in Belarus in September 2023")
    page.get_by_role("button", name="Sign off the outcome").click()
    page.locator("#messages .message").first.wait_for()
    assert "Exercises held in Belarus in September 2023" in page.locator('[data-testid="outcome"]').inner_text()

    page.goto(f"{page.base}/reports/delivered/")
    row = page.locator('[data-testid="delivered"] tr[data-state="kept"]')
    assert "Exercises held in Belarus" in row.inner_text()
    with page.expect_download() as download:
        page.locator('[data-testid="delivered-docx"]').click()
    content = Path(download.value.path()).read_bytes()
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Evidence: Exercises held in Belarus in September 2023" in text

    page.goto(f"{page.base}/participation/")
    page.locator('[data-testid="matrix"]').wait_for()
    screenshot(page, "participation-matrix")


def test_an_open_activity_is_handed_over_and_shows_in_the_new_presidency(page, seeded, monkeypatch):
    # Late in 2023: the presidency on screen is still Belarus's, with its successor recorded.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2023, 11, 15))
    current = Presidency.objects.get(code="csto-2023-by")
    nxt = Presidency.objects.create(
        code="csto-2024-kz", organisation=current.organisation, chair_state=MemberState.objects.get(code="KZ"),
        predecessor=current, period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31),
    )
    for priority in current.priorities.all():
        factories.PriorityFactory(presidency=nxt, number=priority.number, title=priority.title)
    china = Activity.objects.get(code="p2-csto-china-dialogue")
    log_in(page, "coordinator", "/handover/")
    screenshot(page, "handover")
    page.locator(f'tr[data-activity="{china.pk}"]').get_by_role("button", name="Carry over").click()
    page.locator('[data-testid="handover-done"]').wait_for()
    copy = Activity.objects.get(carried_over_from=china)
    assert Activity.objects.get(pk=china.pk).status == Status.HANDED_OVER
    page.locator('[data-testid="handover-done"]').get_by_role("link").first.click()
    page.wait_for_url(f"{page.base}/activities/{copy.pk}/")
    assert china.title in page.locator("h1").inner_text()
    assert "2024" in page.content()
