"""Deadlocks and serialisation failures are retried inside the server, a bounded number of times.

PostgreSQL ends one of two transactions that wait for each other ("deadlock detected") or that cannot be
serialised, and rolls it back whole. Nothing of it was written, so running it again is safe and almost
always succeeds. Only the outermost transaction can be retried (an inner savepoint would run again inside
the same aborted transaction), so `retrying` does nothing when called inside an atomic block: the
outermost caller that uses it retries the whole. If every attempt conflicts, the error goes on and
tracker/outage.py answers 503 saying the request conflicted with others and may be retried.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction

logger = logging.getLogger(__name__)

#: deadlock_detected, serialization_failure (PostgreSQL's SQLSTATE codes).
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})

P = ParamSpec("P")
R = TypeVar("R")


def is_conflict(exc: BaseException | None) -> bool:
    """True for a deadlock or serialisation failure, also when wrapped (Django wraps psycopg's errors)."""
    seen = 0
    while exc is not None and seen < 5:
        code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if code in CONFLICT_SQLSTATES:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def run(func: Callable[[], R], *, using: str = DEFAULT_DB_ALIAS) -> R:
    """Call `func` (which opens its own transaction); run it again if the database ended it as a conflict."""
    if transaction.get_connection(using).in_atomic_block:
        return func()  # the outermost transaction's owner retries
    attempts = max(1, settings.DATABASE_CONFLICT_ATTEMPTS)
    for attempt in range(1, attempts + 1):
        try:
            return func()
        except OperationalError as exc:
            if attempt == attempts or not is_conflict(exc):
                raise
            logger.info("database conflict (attempt %s of %s), retrying: %s", attempt, attempts,
                        str(exc).strip().splitlines()[0][:200])
            # A short random pause so that the two transactions do not meet again at once.
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")


def retrying(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that runs one transaction so that a conflict runs it again (see the module)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return run(lambda: func(*args, **kwargs))

    return wrapper


def atomic(func: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic` that is retried on a conflict when it is the outermost transaction."""
    return retrying(transaction.atomic(func))
