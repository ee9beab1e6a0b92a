"""Real services in tests: PostgreSQL, Redis and Chromium are used when the machine has them.

On a newcomer's machine a test that needs a missing service is skipped with a one-line reason. In CI
(`REQUIRE_SERVICES=1`, set by .ci/run) a missing service fails the test instead, so nothing is skipped
silently there.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip (newcomer's machine) or fail (CI) because a service the test needs is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


# Tests use a Redis database of their own and empty only that one. TEST_REDIS_URL names it; without it they
# take the highest-numbered empty database of the local server (or REDIS_URL's server). Either way the
# database is claimed with this key (value: host and process of the run), so a second run, another engineer or
# the application never has a database emptied under it: a database holding keys the tests did not write is
# never used, and one claimed by a live run is left alone.
CLAIM_KEY = "presidency-tests:claimed-by"
CLAIM = f"{socket.gethostname()}:{os.getpid()}"
OWNED: set[str] = set()  # the databases this run claimed (a cache.clear() may have wiped the key since)


def redis_url_for_tests() -> str:
    """TEST_REDIS_URL, or the server (without database) the tests look for an empty database on."""
    return os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _claim_is_stale(value: bytes) -> bool:
    host, _, pid = value.decode(errors="replace").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim_redis_database(url: str) -> str:
    """Claim the database of `url` for this run; raise ValueError (saying why) if it is not free."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    claim = client.get(CLAIM_KEY)
    if claim is not None and claim.decode() != CLAIM:
        if not _claim_is_stale(claim):
            raise ValueError(f"Redis database {url} is in use by another test run ({claim.decode()})")
        client.flushdb()  # everything in it was written by a test run that has ended
    elif claim is None and client.dbsize():
        raise ValueError(f"Redis database {url} holds {client.dbsize()} keys the tests did not write; "
                         "set TEST_REDIS_URL to an empty database of their own")
    if claim is None and not client.set(CLAIM_KEY, CLAIM, nx=True):
        raise ValueError(f"Redis database {url} was claimed by another test run just now")
    OWNED.add(url)
    return url


def free_redis_database(server_url: str) -> str:
    """Claim the highest-numbered empty database of the server (16 databases unless configured)."""
    import redis

    base = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url.rstrip("/")
    # The processes of one parallel run share the databases out (gw0: 15, 13, ...; gw1: 14, 12, ...), so two of
    # them never race for one database (a test's cache.clear() wipes the claim key a neighbour would look for).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    for number in range(15 - index, 0, -workers):
        url = f"{base}/{number}"
        try:
            return claim_redis_database(url)
        except ValueError:
            continue
        except redis.ResponseError:  # fewer databases configured
            continue
    raise ValueError(f"no empty Redis database on {base}; set TEST_REDIS_URL to one the tests may use")


def flush_keeping_claim(client: Any, claim: bytes | str | None) -> None:
    """FLUSHDB and put the claim back in one transaction: no other run ever sees the database empty and
    unclaimed, and takes it (two runs sharing a database lose each other's keys: a throttle's counts, say)."""
    with client.pipeline(transaction=True) as pipe:
        pipe.flushdb()
        if claim is not None:
            pipe.set(CLAIM_KEY, claim)
        pipe.execute()


def empty_claimed_redis(url: str) -> None:
    """Empty a database this run claimed (and keep the claim); refuses any other database."""
    import redis

    client = redis.Redis.from_url(url)
    claim = client.get(CLAIM_KEY)
    if url not in OWNED or (claim is not None and claim.decode() != CLAIM):
        raise AssertionError(f"refusing to empty Redis database {url}: this test run did not claim it")
    flush_keeping_claim(client, CLAIM)


def release_redis_database(url: str) -> None:
    """Empty and release the database at the end of the run (once, whichever fixture ends last)."""
    if url not in OWNED:
        return
    empty_claimed_redis(url)
    import redis

    redis.Redis.from_url(url).delete(CLAIM_KEY)
    OWNED.discard(url)


def redis_for_this_run() -> str:
    """The run's own database: TEST_REDIS_URL claimed, else a free one; ValueError says why there is none."""
    server = redis_url_for_tests()
    if not redis_is_up(server):
        raise ValueError(f"Redis is not reachable at {server}")
    if OWNED:
        return next(iter(OWNED))
    if os.environ.get("TEST_REDIS_URL"):
        return claim_redis_database(_this_workers(server))
    return free_redis_database(server)


def _this_workers(url: str) -> str:
    """Under pytest-xdist each process needs a database of its own: worker gwK takes TEST_REDIS_URL's number + K."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base, _, number = url.rpartition("/")
    if not worker.startswith("gw") or not number.isdigit() or base.count("/") < 2:
        return url
    return f"{base}/{int(number) + int(worker[2:])}"


def redis_is_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(candidate):
        return candidate
    return shutil.which("chromium")
