"""With Redis configured but down, the cache misses quietly instead of failing the request."""

import pytest
from django.core.cache import caches
from django.test import override_settings

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


def test_a_dead_redis_cache_misses_instead_of_raising():
    with override_settings(CACHES=DEAD_REDIS):
        cache = caches.create_connection("default")
        cache.set("rollup", 42)
        assert cache.get("rollup", "missed") == "missed"
        assert cache.delete("rollup") in (False, None, 0)


def test_the_configured_cache_works_when_redis_is_up(redis_url):
    live = {"default": {**DEAD_REDIS["default"], "LOCATION": redis_url}}
    with override_settings(CACHES=live):
        cache = caches.create_connection("default")
        cache.set("resilience-probe", 42, timeout=5)
        assert cache.get("resilience-probe") == 42
        cache.delete("resilience-probe")


@pytest.mark.django_db
def test_pages_answer_with_redis_down(client, coordinator):
    client.force_login(coordinator)
    with override_settings(CACHES=DEAD_REDIS, REDIS_URL="redis://127.0.0.1:1/0"):
        from django.core.cache import cache

        cache.close()
        response = client.get("/")
    assert response.status_code == 200
