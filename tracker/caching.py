"""Cached reads that are never stale after a write.

Every cached value is keyed by the agenda's *generation*: a counter in the shared cache that goes up when a
transaction that changed the agenda commits (see `tracker/signals.py`). A write therefore makes every
earlier entry unreachable at once, with no list of keys to invalidate; old entries expire on their own.

Caching is on only where the cache is shared by every process (Redis, `REDIS_URL`): with per-process
memory caches a worker's write could not reach the web processes' entries. Without it, or with Redis down,
`generation()` is None and every read computes afresh, exactly as without this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "agenda:generation"
#: Entries live this long at most; the generation makes them unreachable sooner after any write.
TIMEOUT_SECONDS = 600

T = TypeVar("T")


def enabled() -> bool:
    return bool(getattr(settings, "AGENDA_CACHE", False))


def generation() -> int | None:
    """The agenda's current generation, or None when cached reads are off or the cache is unreachable."""
    if not enabled():
        return None
    value = cache.get(GENERATION_KEY)
    if value is None:
        # First use, or the cache lost it: start one. add() keeps a concurrent starter's value.
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump() -> None:
    """Make every cached read unreachable. Runs after the current transaction commits (at once outside one),
    once per transaction however many rows it saved."""
    if not enabled():
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        return  # already due at this commit (a rolled-back savepoint would have dropped it from the list)
    transaction.on_commit(_bump, robust=True)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing was cached against it
        cache.add(GENERATION_KEY, 1, timeout=None)


def key(name: str, *parts: object) -> str | None:
    """A cache key for `name` and `parts` at the current generation, or None when caching is off."""
    current = generation()
    if current is None:
        return None
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f"agenda:{current}:{name}:{digest}"


def cached(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """compute(), cached under `name` and `parts` for the current generation."""
    cache_key = key(name, *parts)
    if cache_key is None:
        return compute()
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT_SECONDS)
    return value
