"""The board in a real browser: log in, filter, move cards (mouse and keyboard), refusals and conflicts,
milestones, the quick update, Russian, and every page's screenshot for the README."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, watch
from tracker import services
from tracker.models import Activity, Milestone, ProgressUpdate
from tracker.permissions import Actor
from tracker.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _exercises() -> Activity:
    return Activity.objects.select_related("priority").get(code="p3-joint-exercises")


def _card(page, activity: Activity):
    return page.locator(f"#card-{activity.pk}")


def _column(page, activity: Activity, status: str):
    return page.locator(f'.column[data-lane="{activity.priority_id}"][data-status="{status}"]')


def _drag(page, activity: Activity, status: str) -> None:
    """Drag the card by its top edge onto the top of a column: both sit on one row of the lane, so the page
    does not scroll between pressing and releasing the mouse."""
    _card(page, activity).drag_to(
        _column(page, activity, status), source_position={"x": 8, "y": 8}, target_position={"x": 30, "y": 12}
    )


def test_a_visitor_logs_in_and_sees_where_the_presidency_stands(page, under_way):
    page.goto(f"{page.base}/board/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/board/$"))
    screenshot(page, "login", full_page=False)
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    log_in(page, "coordinator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where we stand")
    expect(page.locator(".hero__slogan")).to_contain_text("Through solidarity and co-operation")
    expect(page.locator(".priority-card")).to_have_count(4)
    screenshot(page, "dashboard")


def test_filters_narrow_the_board_and_live_in_the_url(page, under_way):
    exercises = _exercises()
    log_in(page, "coordinator", "/board/")
    expect(page.locator(".card")).to_have_count(18)
    # The demo's mid-July: work in progress, one blocked, one at risk, one done (tracker/demo_story.py)
    for status in (Status.IN_PROGRESS, Status.BLOCKED, Status.DONE):
        expect(page.locator(f'.column[data-status="{status}"] .card')).to_have_count(
            Activity.objects.filter(status=status).count())
    assert Activity.objects.filter(status=Status.IN_PROGRESS).count() > 5
    screenshot(page, "board")
    page.locator("summary", has_text="Priority").click()
    page.get_by_label(re.compile(r"3\. The military component")).check()
    # Only the filters that are set go into the URL.
    expect(page).to_have_url(re.compile(rf"/board/\?priority={exercises.priority_id}$"))
    expect(page.locator(".card")).to_have_count(5)
    page.get_by_label("Search", exact=True).fill("assets")
    expect(page).to_have_url(re.compile(r"search=assets"))
    expect(page.locator(".card")).to_have_count(1)
    expect(_card(page, exercises)).to_be_visible()
    screenshot(page, "board-filtered", full_page=False)
    # The URL is the filtered board: opening it again (a bookmark) shows the same.
    page.goto(page.url)
    expect(page.locator(".card")).to_have_count(1)
    expect(page.get_by_label("Search", exact=True)).to_have_value("assets")
    expect(page.get_by_text("1 activity shown")).to_be_visible()


def test_an_editor_moves_a_card_by_drag_and_drop(page, seeded):
    exercises = _exercises()
    seen = exercises.version
    log_in(page, "editor", f"/board/?priority={exercises.priority_id}")
    _drag(page, exercises, "in_progress")
    expect(_column(page, exercises, "in_progress").locator(f"#card-{exercises.pk}")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("moved to in progress")
    exercises.refresh_from_db()
    assert (exercises.status, exercises.version) == (Status.IN_PROGRESS, seen + 1)
    assert ProgressUpdate.objects.filter(activity=exercises, channel="web", new_status="in_progress").exists()


def test_an_editor_moves_a_card_with_the_keyboard_menu(page, seeded):
    exercises = _exercises()
    log_in(page, "editor", f"/board/?priority={exercises.priority_id}")
    move = _card(page, exercises).get_by_role("button", name=re.compile("^Move"))
    move.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    # Planned may go to: in progress, at risk, blocked, done, cancelled: the menu offers exactly those.
    expect(menu.get_by_role("menuitem")).to_have_text(["In progress", "At risk", "Blocked", "Done", "Cancelled"])
    expect(menu.get_by_role("menuitem", name="In progress")).to_be_focused()
    # The header's unread count is redrawn by polling: that swap must leave the open menu alone.
    with page.expect_response(lambda response: "/inbox/badge/" in response.url):
        page.evaluate("htmx.ajax('GET', '/inbox/badge/', {target: '#inbox-badge', swap: 'outerHTML'})")
    page.wait_for_timeout(200)
    expect(menu.get_by_role("menuitem", name="In progress")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Blocked")).to_be_focused()
    screenshot(page, "board-move-menu", full_page=False)
    page.keyboard.press("Enter")
    expect(_column(page, exercises, "blocked").locator(f"#card-{exercises.pk}")).to_be_visible()
    # Focus comes back to the moved card, so the next key press continues from there.
    expect(_card(page, exercises).get_by_role("button", name=re.compile("^Move"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu").get_by_role("menuitem")).to_have_text(["In progress", "At risk", "Cancelled"])
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    exercises.refresh_from_db()
    assert exercises.status == Status.BLOCKED


def test_a_refused_move_shows_the_workflows_reason_and_the_card_returns(page, seeded):
    page.allowed_statuses.add(409)  # the refusal itself
    exercises = _exercises()
    services.activity_transition(actor=Actor.system(), activity=exercises, status=Status.BLOCKED)
    log_in(page, "editor", f"/board/?priority={exercises.priority_id}")
    _drag(page, exercises, "done")
    expect(page.get_by_role("alert")).to_contain_text(
        "A blocked activity cannot be marked done; move it back to in progress first."
    )
    expect(_column(page, exercises, "blocked").locator(f"#card-{exercises.pk}")).to_be_visible()
    expect(_column(page, exercises, "done").locator(".card")).to_have_count(0)
    screenshot(page, "board-refused-move", full_page=False)
    exercises.refresh_from_db()
    assert exercises.status == Status.BLOCKED


def test_a_card_someone_else_changed_meanwhile_shows_a_conflict(page, seeded):
    page.allowed_statuses.add(409)  # the conflict itself
    exercises = _exercises()
    log_in(page, "editor", f"/board/?priority={exercises.priority_id}")
    expect(_card(page, exercises)).to_be_visible()
    services.activity_transition(actor=Actor.system(), activity=exercises, status=Status.AT_RISK, note="Meanwhile")
    _drag(page, exercises, "in_progress")
    expect(page.get_by_role("alert")).to_contain_text("Someone else changed this activity meanwhile")
    expect(_column(page, exercises, "at_risk").locator(f"#card-{exercises.pk}")).to_be_visible()
    exercises.refresh_from_db()
    assert exercises.status == Status.AT_RISK


def test_an_editor_ticks_a_milestone_and_reports_progress(page, seeded):
    exercises = _exercises()
    first = Milestone.objects.get(activity=exercises, order=1)
    log_in(page, "editor", f"/activities/{exercises.pk}/")
    expect(page.get_by_label("Progress, %")).to_be_disabled()  # it follows the milestones
    page.get_by_label(first.title).check()
    expect(page.locator("#messages")).to_contain_text(f"Milestone “{first.title}” ticked.")
    expect(page.locator(".activity__head")).to_contain_text("25% done")
    expect(page.get_by_label(first.title)).to_be_checked()
    page.get_by_label("Status").select_option(label="At risk")
    page.get_by_label("Note").fill("Host nation support confirmed late")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator("#messages")).to_contain_text("Update saved.")
    expect(page.locator(".update-list").first).to_contain_text("Host nation support confirmed late")
    expect(page.locator(".activity__badges")).to_contain_text("At risk")
    screenshot(page, "activity")
    exercises.refresh_from_db()
    assert (exercises.status, exercises.progress) == (Status.AT_RISK, 25)


def test_a_quick_update_with_a_mistake_shows_it_next_to_the_field_and_keeps_the_note(page, seeded):
    page.allowed_statuses.add(400)  # the mistake's answer
    activity = Activity.objects.get(code="p1-member-state-unity")
    log_in(page, "coordinator", f"/activities/{activity.pk}/")
    page.get_by_label("Progress, %").fill("150")
    page.get_by_label("Note").fill("Typed with care")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator("#id_progress_error")).to_contain_text("less than or equal to 100")
    expect(page.get_by_label("Progress, %")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Note")).to_have_value("Typed with care")


def test_a_viewer_reads_without_edit_controls(page, seeded):
    exercises = _exercises()
    log_in(page, "viewer", "/board/")
    expect(page.locator(".card").first).to_be_visible()
    expect(page.locator(".card__move")).to_have_count(0)
    expect(page.locator('.card[draggable="true"]')).to_have_count(0)
    page.goto(f"{page.base}/activities/{exercises.pk}/")
    expect(page.get_by_text("You can read this activity")).to_be_visible()
    expect(page.locator('input[type="checkbox"]')).to_have_count(0)


def test_switching_to_russian_translates_pages_and_content(page, under_way):
    log_in(page, "coordinator")
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Текущее состояние")
    expect(page.locator(".hero__slogan")).to_contain_text("Через солидарность и сотрудничество")
    screenshot(page, "dashboard-ru")
    page.get_by_role("link", name="Доска").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Доска")
    expect(page.locator(f"#card-{_exercises().pk}")).to_contain_text("Совместные учения")
    screenshot(page, "board-ru", full_page=False)


def test_the_timeline_calendar_and_reports_open(page, under_way):
    exercises = _exercises()
    log_in(page, "coordinator", "/timeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    expect(page.locator(".timeline__row")).to_have_count(18)
    expect(page.locator(".timeline__month")).to_have_count(12)
    row = page.locator(".timeline__row", has=page.get_by_role("link", name=exercises.title))
    expect(row.locator(".timeline__mark")).to_have_count(4)
    screenshot(page, "timeline")
    page.goto(f"{page.base}/calendar/?month=2023-06")
    expect(page.get_by_role("heading", name="June 2023")).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the calendar link").first.click()
    expect(page.locator(".feed__status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#feed-url")
    screenshot(page, "calendar")
    page.goto(f"{page.base}/reports/")
    expect(page.get_by_role("heading", name="Progress per priority")).to_be_visible()
    screenshot(page, "reports")
    page.get_by_role("link", name="Printable year report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("year report")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    screenshot(page, "year-report-print")


def test_the_board_and_dashboard_are_usable_on_a_phone(browser, live_server, under_way):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = watch(page)
    page.base = live_server.url
    try:
        log_in(page, "editor")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, "the dashboard scrolls sideways on a phone"
        screenshot(page, "dashboard-phone")
        page.goto(f"{page.base}/board/")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        expect(page.locator(".card__move").first).to_be_visible()
        page.locator(".lane").first.scroll_into_view_if_needed()
        screenshot(page, "board-phone", full_page=False)
    finally:
        context.close()
    assert not problems, f"errors in the browser: {problems}"
