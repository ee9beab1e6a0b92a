"""Read replica routing: when DATABASE_REPLICA_URL is set, reads of safe requests go to the replica.

A person who has just written is pinned to the primary for a few seconds (a cookie), so they always see
their own change even if the replica lags. Writes, transactions and migrations always use the primary.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "pin_primary"
_replica_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_allowed", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if REPLICA in connections.settings and _replica_allowed.get() and not _in_atomic_block():
            return REPLICA
        return "default"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


def _in_atomic_block() -> bool:
    # Inside a transaction we are about to write, or must see what we wrote: stay on the primary.
    return transaction.get_connection("default").in_atomic_block


class ReplicaRoutingMiddleware:
    """Allows replica reads for safe requests of people who have not just written something."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        token = _replica_allowed.set(safe and PIN_COOKIE not in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if not safe and REPLICA in connections.settings:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response
