"""htmx is served as django-htmx ships it, in every mode: `make run` (DEBUG) must not add django-htmx's debug
script, which replaces the whole page with a 400/403/404 answer and evals its scripts. Our refusals are
fragments that htmx swaps in place (the form with its message), and the CSP refuses eval."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_pages_load_htmx_without_the_debug_page_replacer(signed_in, coordinator, settings, debug):
    settings.DEBUG = debug
    html = signed_in(coordinator).get("/board/").content.decode()
    assert "django_htmx/htmx-2.min" in html  # the swaps the board relies on
    assert "django-htmx" not in html  # the debug script (django_htmx/django-htmx.js) is not on the page
