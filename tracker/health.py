"""Health endpoints. Liveness touches nothing; readiness checks each dependency and names the one down."""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse


def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


def _check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


def _check_worker() -> str | None:
    from tracker.jobs import heartbeat

    try:
        seen = heartbeat.last_seen()
    except Exception as exc:  # the database check reports the cause
        return f"unknown ({type(exc).__name__})"
    if seen is None:
        return "no worker has reported a heartbeat yet"
    if not heartbeat.is_recent():
        return f"no heartbeat since {seen.isoformat(timespec='seconds')}"
    return None


def readiness(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _check_database(),
        "redis": _check_redis() if settings.REDIS_URL else None,
        "worker": _check_worker(),
    }
    report = {name: ("ok" if problem is None else problem) for name, problem in checks.items()}
    if not settings.REDIS_URL:
        report["redis"] = "not configured (embedded mode)"
    down = [name for name, problem in checks.items() if problem is not None]
    status = 200 if not down else 503
    return JsonResponse({"status": "ok" if not down else "down", "down": down, "checks": report}, status=status)
