"""Shared fixtures: one small agenda and the people who use it, as most test files need them.

Users: a coordinator, an editor of the responsible body ("editor"), an editor of another body
("outsider") and a viewer. Activities are created straight in the database; writes under test go through
the services.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tracker.models import Channel, Role
from tracker.permissions import Actor


@pytest.fixture
def presidency(db):
    return factories.PresidencyFactory()


@pytest.fixture
def priorities(presidency):
    return [factories.PriorityFactory(presidency=presidency, number=n) for n in (1, 2, 3, 4)]


@pytest.fixture
def body(db):
    return factories.BodyFactory(code="by-mod", name="Ministry of Defence of Belarus")


@pytest.fixture
def other_body(db):
    return factories.BodyFactory(code="by-mfa", name="Ministry of Foreign Affairs of Belarus")


@pytest.fixture
def activity(priorities, body):
    return factories.ActivityFactory(
        priority=priorities[2], responsible_body=body, title="Joint exercises in Belarus",
        start_date=dt.date(2023, 3, 1), due_date=dt.date(2023, 9, 30),
    )


@pytest.fixture
def coordinator(db):
    return factories.make_staff("coordinator", Role.COORDINATOR)


@pytest.fixture
def editor(body):
    return factories.make_staff("editor", Role.EDITOR, body)


@pytest.fixture
def outsider(other_body):
    return factories.make_staff("outsider", Role.EDITOR, other_body)


@pytest.fixture
def viewer(db):
    return factories.make_staff("viewer", Role.VIEWER, is_staff=False)


@pytest.fixture
def coordinator_actor(coordinator):
    return Actor.for_user(coordinator, Channel.WEB)


@pytest.fixture
def editor_actor(editor):
    return Actor.for_user(editor, Channel.WEB)


@pytest.fixture(autouse=True)
def default_language():
    """A request in Russian leaves Russian active in the thread (LocaleMiddleware does not reset it): every
    test starts and ends in the default language, whatever the one before it read."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """The API's per-process caches (an API key's lookup, first pages' statements, list statements by shape,
    known ids) hold rows of one test's database: each test starts without them, as a freshly started worker
    would."""
    from tracker.api import authentication, list_params
    from tracker.api.views import activities

    authentication._clients.clear()
    activities._FIRST_PAGES.clear()
    list_params.STATEMENTS.clear()
    for known in list_params._KNOWN.values():
        known.forget()
    yield


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the .po catalogues (the .mo files are not committed), so Russian shows on a fresh clone."""
    from tracker.management.commands.compile_translations import compile_catalogues

    compile_catalogues()


# --- Real services --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def redis_url():
    """A Redis database this run owns (tests/support.py: TEST_REDIS_URL, else an empty one it claims);
    emptied and released when the run ends."""
    from tests.support import redis_for_this_run, release_redis_database, unavailable

    try:
        url = redis_for_this_run()
    except ValueError as exc:
        unavailable(str(exc))
    yield url
    release_redis_database(url)


@pytest.fixture(scope="session", autouse=True)
def cache_in_the_runs_own_redis_database():
    """With REDIS_URL set the application caches in Redis, and tests clear the cache (a FLUSHDB): point it at
    the run's own database so no one else's database is ever emptied (or at memory if there is none)."""
    import warnings

    from django.conf import settings

    from tests.support import redis_for_this_run, release_redis_database

    cache = settings.CACHES["default"]
    if "redis" not in cache["BACKEND"].lower():
        yield
        return
    try:
        cache["LOCATION"] = redis_for_this_run()
        cache["OPTIONS"] = {**cache.get("OPTIONS", {}), "CLIENT_CLASS": "tests.redis_cache.ClaimKeepingClient"}
    except ValueError as exc:
        warnings.warn(f"the cache stays in memory: {exc}", stacklevel=1)
        settings.CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        yield
        return
    yield
    release_redis_database(cache["LOCATION"])


@pytest.fixture(scope="session")
def chromium():
    """The path of Debian's Chromium for browser tests."""
    from tests.support import chromium_path, unavailable

    path = chromium_path()
    if path is None:
        unavailable("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def postgres_only(db):
    """For behaviour only PostgreSQL has; the SQLite pass of the suite skips these."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True)
def dns():
    """The tests' DNS table (tests/dns.py), empty again after each test: `dns["hooks.test"] = ["127.0.0.1"]`."""
    from tests import dns as table

    table.RECORDS.clear()
    table.ASKED.clear()
    yield table.RECORDS
    table.RECORDS.clear()
    table.ASKED.clear()
