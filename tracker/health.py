"""Health endpoints. Liveness touches nothing; readiness checks each dependency and names the one down.

Readiness answers within a second even when a dependency hangs: each check runs in its own thread (with
the request's database connection lent to it) under a time limit of its own (HEALTH_CHECK_TIMEOUT_SECONDS); a check that
does not finish in time is reported down.

Who may read why: everybody learns which dependencies are down (a load balancer needs no more); only
internal callers get the error text and how long the worker has been silent, since error text can name
hosts, ports and versions. Internal means: the request carries `X-Health-Token` equal to the
HEALTH_DETAIL_TOKEN setting, or it comes from an address in HEALTH_DETAIL_NETWORKS (loopback by default)
without an `X-Forwarded-For` header (a proxy on this host relays outside callers and adds one).
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

TOKEN_HEADER = "X-Health-Token"
# Enough threads for a few probes at once whose checks hang until their own time limits end them.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class _Problem(Exception):
    """A check's finding: `detail` for internal callers."""

    def __init__(self, detail: str, **facts: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.facts = facts


def _database_check(connection: BaseDatabaseWrapper) -> Callable[[], dict[str, object]]:
    """SELECT the latest heartbeat, on the request's connection lent to the check's thread: the database
    answers, and the worker check gets its data from it."""
    connection.inc_thread_sharing()

    def check() -> dict[str, object]:
        from tracker.models import WorkerHeartbeat

        connections[connection.alias] = connection  # this thread's queries go through the lent connection
        try:
            with transaction.atomic(using=connection.alias):
                if connection.vendor == "postgresql":  # a stuck server must not hold the thread long either
                    with connection.cursor() as cursor:
                        limit = int(settings.HEALTH_CHECK_TIMEOUT_SECONDS * 1000)
                        cursor.execute(f"SET LOCAL statement_timeout = {limit}")
                seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        except Exception as exc:
            raise _Problem(f"{type(exc).__name__}: {exc}"[:200]) from None
        finally:
            connection.dec_thread_sharing()
        return {"last_heartbeat": seen}

    return check


def _check_redis() -> dict[str, object]:
    import redis

    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except redis.RedisError as exc:
        raise _Problem(f"{type(exc).__name__}: {exc}"[:200]) from None
    return {}


def _worker_state(seen: dt.datetime | None) -> _Problem | None:
    if seen is None:
        return _Problem("no worker has reported a heartbeat yet")
    silent = (timezone.now() - seen).total_seconds()
    if silent > 3 * settings.WORKER_HEARTBEAT_SECONDS:
        return _Problem(
            f"no heartbeat for {int(silent)} s (since {seen.isoformat(timespec='seconds')})",
            worker_silent_seconds=int(silent),
        )
    return None


def is_internal(request: HttpRequest) -> bool:
    """Whether the caller may see the checks' details (see the module's docstring)."""
    token = settings.HEALTH_DETAIL_TOKEN
    sent = request.headers.get(TOKEN_HEADER, "")
    if token and sent and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.HEALTH_DETAIL_NETWORKS)


def _run(checks: dict[str, Callable[[], dict[str, object]]]) -> dict[str, dict[str, object] | _Problem]:
    limit = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    futures = {name: _POOL.submit(check) for name, check in checks.items()}
    deadline = time.monotonic() + limit
    results: dict[str, dict[str, object] | _Problem] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except _Problem as problem:
            results[name] = problem
        except FutureTimeout:
            results[name] = _Problem(f"no answer within {limit:g} s")
        except Exception as exc:  # a check's own bug still answers, and names the check
            results[name] = _Problem(f"{type(exc).__name__}: {exc}"[:200])
    return results


def readiness(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Callable[[], dict[str, object]]] = {"database": _database_check(connections["default"])}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results = _run(checks)
    database = results["database"]
    if isinstance(database, _Problem):
        worker: dict[str, object] | _Problem = _Problem("unknown: the database did not answer")
    else:
        worker = _worker_state(database["last_heartbeat"]) or {}
    results["worker"] = worker

    internal = is_internal(request)
    report: dict[str, object] = {}
    facts: dict[str, object] = {}
    for name in ("database", "redis", "worker"):
        result = results.get(name)
        if result is None:
            report[name] = "not configured (embedded mode)"
        elif isinstance(result, _Problem):
            report[name] = result.detail if internal else "down"
            facts.update(result.facts)
        else:
            report[name] = "ok"
    down = [name for name, result in results.items() if isinstance(result, _Problem)]
    down.sort(key=["database", "redis", "worker"].index)
    body: dict[str, object] = {"status": "ok" if not down else "down", "down": down, "checks": report}
    if internal:
        body.update(facts)
    response = JsonResponse(body, status=200 if not down else 503)
    response["Cache-Control"] = "no-store"
    return response
