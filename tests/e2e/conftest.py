"""End-to-end tests: the real board served by pytest-django's live server, driven in Debian's headless
Chromium through Playwright (never a downloaded browser). Each test starts from the seeded 2023 agenda."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from functools import cache
from pathlib import Path

import pytest

from tests import factories
from tracker.models import Body, Role

# Playwright's sync API keeps an event loop running in the test thread; Django would otherwise refuse the
# test's own database calls (seeding, checking results) as "async-unsafe". The server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update"]
PASSWORD = "pass-for-tests-2023"  # tests.factories.UserFactory's


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded(live_server, settings):
    """The 2023 agenda from the speech, and a coordinator, an editor of the Ministry of Defence and a viewer."""
    from tracker.seed import load_seed

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_day = os.environ.get("SCREENSHOTS_DEMO_TODAY")
    if demo_day:  # `make screenshots`: the presidency on the demo's day, as `make run` shows it
        settings.DEBUG, settings.DEMO_TODAY = True, dt.date.fromisoformat(demo_day)
    load_seed()
    return {
        "coordinator": factories.make_staff("coordinator", Role.COORDINATOR),
        "editor": factories.make_staff("editor", Role.EDITOR, Body.objects.get(code="by-mod")),
        "viewer": factories.make_staff("viewer", Role.VIEWER, is_staff=False),
    }


@pytest.fixture
def under_way(seeded):
    """The seeded agenda with the demo's story told (work under way in mid-July, as `make run` shows it):
    for the tests that only read the overview pages, whose screenshots are the README's pictures."""
    from tracker import demo_story

    assert demo_story.tell() > 0
    return seeded


# The browser's own line for an HTTP error answer; a test that provokes one (a refused move) allows its status.
HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def watch(page) -> list[str]:
    """Record every JavaScript error, console error and failed request of the page: any one fails the test
    (a Russian chart once logged 32 SVG errors and no test noticed). `page.allowed_statuses` lists the HTTP
    error statuses the test provokes on purpose."""
    problems: list[str] = []
    page.allowed_statuses = set()

    def on_console(message) -> None:
        if message.type != "error":
            return
        status = HTTP_ERROR.search(message.text)
        if status and int(status.group(1)) in page.allowed_statuses:
            return
        problems.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("pageerror", lambda error: problems.append(f"JavaScript: {error}"))
    page.on("console", on_console)
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url} {request.failure}"))
    return problems


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = watch(page)
    page.base = live_server.url
    yield page
    context.close()
    assert not problems, f"errors in the browser: {problems}"


def log_in(page, username: str, next_path: str = "/") -> None:
    page.goto(f"{page.base}{next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{page.base}{next_path}")


@cache
def screenshots_dir() -> Path:
    """SCREENSHOTS_DIR (`make screenshots` sets docs/screenshots), else a fresh temporary folder: a test run
    never rewrites tracked files."""
    chosen = os.environ.get("SCREENSHOTS_DIR")
    folder = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="presidency-screenshots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(screenshots_dir() / f"{name}.png"), full_page=full_page, animations="disabled")
