"""What a busy desk officer sees in a real browser: a phone's first screen shows activities, not filters; no
keyboard hint on a touch screen; the milestone message leaves the quick update's Save button free."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in
from tracker.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)


def _box_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_on_a_phone_the_board_starts_with_activities_and_no_keyboard_hint(browser, live_server, seeded):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base = live_server.url
    try:
        log_in(page, "coordinator", "/board/")
        first_card = page.locator(".card").first.bounding_box()
        assert first_card["y"] < 844, "the header and the filters fill the phone's first screen"
        assert not page.locator("#board-hint").is_visible()  # a touch screen has no keyboard to use it with
        assert not page.locator(".filters__row").is_visible()
        page.locator(".filters__toggle").click()  # the filters are one tap away
        assert page.locator("#id_search").is_visible()
    finally:
        context.close()


def test_on_a_desktop_the_filters_and_the_keyboard_hint_show(page, seeded):
    log_in(page, "coordinator", "/board/")
    assert page.locator("#id_search").is_visible() and page.locator("#board-hint").is_visible()
    assert not page.locator(".filters__toggle").is_visible()


def test_the_milestone_message_leaves_the_save_button_free(page, seeded):
    exercises = Activity.objects.get(code="p3-joint-exercises")
    log_in(page, "editor", f"/activities/{exercises.pk}/")
    first = exercises.milestones.order_by("order").first()
    page.get_by_label(first.title).check()
    message = page.locator("#messages .message").first
    message.wait_for()
    save = page.locator("#quick-update-submit")
    save.scroll_into_view_if_needed()
    assert not _box_overlap(message.bounding_box(), save.bounding_box())
