"""Throttling per API client and per user: 429 with Retry-After, counted in Redis when it is configured."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories
from tests.api.conftest import client_with_key
from tests.support import empty_claimed_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limits(settings):
    settings.API_THROTTLE_RATES = {"client": "2/minute", "user": "2/minute", "anon": "2/minute"}
    cache.clear()
    yield
    cache.clear()


def test_a_client_over_its_rate_gets_429_with_retry_after(low_limits, write_api):
    assert [write_api.get("/api/v1/bodies/").status_code for _ in range(2)] == [200, 200]
    response = write_api.get("/api/v1/bodies/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])


def test_each_client_has_its_own_allowance(low_limits, write_api, db):
    for _ in range(3):
        write_api.get("/api/v1/bodies/")
    other = client_with_key(factories.make_api_client("another-system")[1])
    assert other.get("/api/v1/bodies/").status_code == 200


def test_staff_users_are_throttled_per_user(low_limits, coordinator_api, editor_api):
    for _ in range(2):
        coordinator_api.get("/api/v1/bodies/")
    assert coordinator_api.get("/api/v1/bodies/").status_code == 429
    assert editor_api.get("/api/v1/bodies/").status_code == 200


def test_an_empty_rate_switches_the_limit_off(settings, write_api):
    settings.API_THROTTLE_RATES = {"client": "", "user": "", "anon": ""}
    assert all(write_api.get("/api/v1/bodies/").status_code == 200 for _ in range(5))


def test_counts_live_in_redis_when_it_is_configured(redis_url, settings, write_client, write_api):
    import redis

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_url, "KEY_PREFIX": "tracker-test-throttle"}}
    settings.API_THROTTLE_RATES = {"client": "2/minute", "user": "2/minute", "anon": "2/minute"}
    empty_claimed_redis(redis_url)  # cache.clear() would FLUSHDB; this keeps the run's claim on the database
    try:
        codes = [write_api.get("/api/v1/bodies/").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        keys = redis.Redis.from_url(redis_url).keys("tracker-test-throttle*throttle:api:client:*")
        assert keys, "the throttle's counts should be in Redis"
    finally:
        empty_claimed_redis(redis_url)
