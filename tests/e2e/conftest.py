"""End-to-end tests: the real board served by pytest-django's live server, driven in Debian's headless
Chromium through Playwright (never a downloaded browser). Each test starts from the seeded 2023 agenda."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tracker.models import Body, Role

# Playwright's sync API keeps an event loop running in the test thread; Django would otherwise refuse the
# test's own database calls (seeding, checking results) as "async-unsafe". The server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update"]
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
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
    load_seed()
    return {
        "coordinator": factories.make_staff("coordinator", Role.COORDINATOR),
        "editor": factories.make_staff("editor", Role.EDITOR, Body.objects.get(code="by-mod")),
        "viewer": factories.make_staff("viewer", Role.VIEWER, is_staff=False),
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base = live_server.url
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def log_in(page, username: str, next_path: str = "/") -> None:
    page.goto(f"{page.base}{next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{page.base}{next_path}")


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page, animations="disabled")
