"""Real services in tests: PostgreSQL, Redis and Chromium are used when the machine has them.

On a newcomer's machine a test that needs a missing service is skipped with a one-line reason. In CI
(`REQUIRE_SERVICES=1`, set by .ci/run) a missing service fails the test instead, so nothing is skipped
silently there.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip (newcomer's machine) or fail (CI) because a service the test needs is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def redis_url_for_tests() -> str:
    return os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


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
