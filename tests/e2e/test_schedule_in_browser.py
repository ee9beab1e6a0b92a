"""The schedule in a real browser (issue 17): a coordinator links two activities on the activity page, sees
the arrow on the timeline, and after the predecessor's date moves, the successor's "waiting on" flag; the
pictures of the timeline with arrows, forecasts and the baseline's shadows, and of the schedule report."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import log_in, screenshot
from tracker import clock, services
from tracker.models import Activity, Channel, Dependency, Presidency
from tracker.permissions import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_link_on_the_page_see_the_arrow_then_the_slip_flag(browser, page, seeded, settings):
    if not settings.DEMO_TODAY:  # a day before the meeting's deadline (`make screenshots` pins its own day)
        settings.DEBUG, settings.DEMO_TODAY = True, dt.date(2023, 6, 1)
    coordinator = Actor.for_user(seeded["coordinator"], Channel.WEB)
    meeting = Activity.objects.get(code="p4-institutes-heads-meeting-minsk")
    documents = Activity.objects.get(code="p4-conceptual-strategic-documents")
    # More of the plan hangs together, and a few activities have reported progress (their pace).
    for before, after, kind in [("p1-mutual-trust-joint-actions", "p1-eastern-europe-situation", "ff"),
                                ("p2-csto-china-dialogue", "p2-india-dialogue-partner", "fs"),
                                ("p3-military-technical-cooperation", "p3-defence-manufacturing-cooperation", "ff"),
                                ("p4-analytical-institutes-network", "p4-conceptual-strategic-documents", "ff")]:
        services.dependency_create(actor=coordinator, predecessor=Activity.objects.get(code=before),
                                   successor=Activity.objects.get(code=after), kind=kind)
    for code, progress in [("p4-institutes-heads-meeting-minsk", 40), ("p2-csto-china-dialogue", 35),
                           ("p3-military-technical-cooperation", 20), ("p1-mutual-trust-joint-actions", 45)]:
        activity = Activity.objects.get(code=code)
        first = activity.milestones.order_by("order").first()
        if first is not None:  # its progress follows its milestones: one ticked
            services.milestone_toggle(actor=coordinator, milestone=first, done=True)
        else:
            services.progress_report(actor=coordinator, activity=activity, progress=progress,
                                     note="Reported at the planning meeting")
    services.baseline_approve(actor=coordinator, presidency=Presidency.objects.get(code="csto-2023-by"),
                              reason="The plan as agreed by the Committee of Secretaries")

    log_in(page, "coordinator", f"/activities/{documents.pk}/")
    page.select_option("#id_link-direction", "waits_on")
    page.select_option("#id_link-other", str(meeting.pk))
    page.select_option("#id_link-kind", "fs")
    page.click("#link-submit")
    page.wait_for_selector("#waits-on >> text=Meeting of the heads")
    if clock.today() < meeting.due_date:  # on time so far: nothing to wait for
        assert "Waiting on Meeting" not in page.locator(".activity__forecast").inner_text()
    assert Dependency.objects.filter(predecessor=meeting, successor=documents, kind="fs").exists()

    page.goto(f"{page.base}/timeline/")
    arrow = page.locator(f'svg.timeline__arrows path[data-link="{meeting.pk}-{documents.pk}"]')
    arrow.wait_for(state="attached")
    assert page.locator("svg.timeline__arrows path.timeline__arrow").count() == 5

    # The meeting slips past the documents' start: nothing else moves, the documents wait on it.
    meeting.refresh_from_db()
    services.activity_update(actor=coordinator, activity=meeting, changes={"due_date": dt.date(2023, 7, 20)},
                             expected_version=meeting.version, note="The hosts asked for July")
    documents.refresh_from_db()
    assert documents.start_date == dt.date(2023, 7, 3)  # flagged, never re-dated
    page.goto(f"{page.base}/activities/{documents.pk}/")
    assert "Waiting on Meeting of the heads" in page.locator(".activity__forecast").inner_text()
    screenshot(page, "schedule-activity")

    page.goto(f"{page.base}/timeline/")
    page.locator(f"#tl-group-{meeting.priority_id}").scroll_into_view_if_needed()
    row = page.locator(f'.timeline__row[data-activity="{documents.pk}"]')
    assert "Waiting on" in row.inner_text()
    assert page.locator(f'.timeline__row[data-activity="{meeting.pk}"] .timeline__baseline').count() == 1
    assert page.locator("svg.timeline__arrows path.is-critical").count() >= 1
    screenshot(page, "schedule-timeline")

    page.goto(f"{page.base}/reports/schedule/")
    assert "The plan as agreed" in page.locator("#baselines").inner_text()
    assert "20" in page.locator("#slip-priority").inner_text()
    screenshot(page, "schedule-report")


def test_after_a_write_the_timeline_says_the_forecast_is_updating_then_refreshes_itself(
        browser, page, seeded, settings, monkeypatch):
    """Issue 18: the previous forecast with a note while the recompute is queued; once the task ran, the
    fragment's polling brings the new forecast and the note goes."""
    from django.core.cache import cache

    from tracker import tasks

    if not settings.DEMO_TODAY:
        settings.DEBUG, settings.DEMO_TODAY = True, dt.date(2023, 6, 1)
    # This process's own cache (the run's Redis database is shared with the other xdist worker, which clears it).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "e2e"}}
    settings.AGENDA_CACHE = True
    cache.clear()
    queued: list[tuple] = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args, **options: queued.append((task, args)) or True)
    activity = Activity.objects.filter(milestones__isnull=True, progress=0, priority__number=1).order_by("pk")[0]
    row = page.locator(f'.timeline__row[data-activity="{activity.pk}"] .forecast')

    log_in(page, "viewer", "/timeline/")
    assert row.get_attribute("data-forecast") == ""  # no progress yet: no forecast
    services.progress_report(actor=Actor.for_user(seeded["coordinator"], Channel.WEB), activity=activity,
                             progress=60, note="Reported at the planning meeting")
    page.goto(f"{page.base}/timeline/")
    note = page.locator(".forecast-updating")
    assert "Forecast updating" in note.inner_text()
    assert row.get_attribute("data-forecast") == ""  # the previous forecast, meanwhile
    screenshot(page, "schedule-timeline-updating", full_page=False)

    for task, args in queued:  # the worker
        if task in (tasks.refresh_schedule, tasks.refresh_kept_schedules):
            task(*args)
    note.wait_for(state="detached", timeout=10_000)  # the fragment polls every 3 s
    assert row.get_attribute("data-forecast") != ""
    screenshot(page, "schedule-timeline-updated", full_page=False)
