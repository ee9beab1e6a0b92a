"""People on the board in a real browser: an editor comments with an @mention chosen from the
autocompletion, and the mentioned person's inbox badge changes without a reload; saved views round-trip
from one person to another."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, watch
from tracker import notifications
from tracker.models import Activity, SavedView

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mention_reaches_the_inbox_badge_without_a_reload(browser, page, live_server, seeded, settings):
    settings.INBOX_POLL_SECONDS = 1
    exercises = Activity.objects.get(code="p3-joint-exercises")
    # The viewer has the inbox open in their own browser.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    viewer_page = context.new_page()
    viewer_page.set_default_timeout(10_000)
    problems = watch(viewer_page)
    viewer_page.base = live_server.url
    try:
        log_in(viewer_page, "viewer", "/inbox/")
        badge = viewer_page.locator("#inbox-badge")
        badge.wait_for(state="attached")
        expect(badge).to_have_attribute("data-count", "0")

        log_in(page, "editor", f"/activities/{exercises.pk}/")
        box = page.locator("#comment_body")
        box.click()
        box.type("Can you check the range booking, @vie")
        option = page.locator('.mention-list__option[data-username="viewer"]')
        option.click()
        assert box.input_value() == "Can you check the range booking, @viewer "
        box.type("**today**?")
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_url(f"{page.base}/activities/{exercises.pk}/#comment-*")
        comment = page.locator(".comment").last
        assert comment.locator(".mention").inner_text() == "@viewer"
        assert comment.locator("strong", has_text="today").count() == 1
        page.locator(".message [data-dismiss-message]").click()  # the confirmation would float over the picture
        screenshot(page, "activity-discussion")

        notifications.sweep()  # what the worker does with the committed outbox event
        expect(viewer_page.locator("#inbox-badge")).to_have_attribute("data-count", "1", timeout=10_000)
        assert viewer_page.url.endswith("/inbox/")  # no reload: the same page, its badge polled by htmx
        viewer_page.reload()
        assert "mentioned you in a comment" in viewer_page.locator(".inbox").inner_text()
        screenshot(viewer_page, "inbox")
    finally:
        context.close()
    assert not problems, f"errors in the viewer's browser: {problems}"


def test_saved_views_round_trip(browser, page, live_server, seeded):
    log_in(page, "editor", "/board/?kind=exercise")
    page.locator("#saved-views > summary").click()
    page.fill("#saved-view-name", "Exercises this quarter")
    page.locator('#saved-views input[name="shared"]').check()
    page.get_by_role("button", name="Save view").click()
    page.wait_for_url(f"{page.base}/board/?kind=exercise")
    assert SavedView.objects.get().query == "kind=exercise"

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    other = context.new_page()
    other.set_default_timeout(10_000)
    problems = watch(other)
    other.base = live_server.url
    try:
        log_in(other, "viewer", "/timeline/")
        other.locator("#saved-views > summary").click()
        screenshot(other, "saved-views", full_page=False)
        other.locator('#saved-views a[data-view="Exercises this quarter"]').click()
        other.wait_for_url(f"{other.base}/timeline/?kind=exercise")
        assert other.locator("#id_kind_0").is_checked() or "kind=exercise" in other.url
    finally:
        context.close()
    assert not problems, f"errors in the viewer's browser: {problems}"
