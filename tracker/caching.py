"""Cached reads that are never stale after a write (and, labelled, the few that may be: see the end).

Every cached value is keyed by the agenda's *generation*: a counter in the shared cache that goes up when a
transaction that changed the agenda commits (see `tracker/signals.py`). A write therefore makes every
earlier entry unreachable at once, with no list of keys to invalidate; old entries expire on their own.

Caching is on only where the cache is shared by every process (Redis, `REDIS_URL`): with per-process
memory caches a worker's write could not reach the web processes' entries. Without it, or with Redis down,
`generation()` is None and every read computes afresh, exactly as without this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

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


#: Called after each committed bump (TrackerConfig.ready adds the queueing of the kept schedules' recompute).
after_bump_listeners: list[Callable[[], None]] = []


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing was cached against it
        cache.add(GENERATION_KEY, 1, timeout=None)
    for listener in after_bump_listeners:
        listener()


def key(name: str, *parts: object) -> str | None:
    """A cache key for `name` and `parts` at the current generation, or None when caching is off."""
    current = generation()
    if current is None:
        return None
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f"agenda:{current}:{name}:{digest}"


def cached(name: str, parts: tuple, compute: Callable[[], T], keep: Callable[[T], bool] | None = None) -> T:
    """compute(), cached under `name` and `parts` for the current generation; not kept when `keep(value)`
    says no (a page drawn with a stale schedule is drawn again once the schedule is fresh)."""
    cache_key = key(name, *parts)
    if cache_key is None:
        return compute()
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        if keep is None or keep(value):
            cache.set(cache_key, value, TIMEOUT_SECONDS)
    return value


# --- Stale while revalidate (issue 18) -----------------------------------------------------------------------
#
# A value that is costly to compute (the whole presidency's schedule) is kept as one entry per name and parts,
# *without* the generation in its key: (generation it was computed at, when, value). It is fresh while that
# generation is the current one. After a write, a reader that accepts a stale answer gets the earlier value,
# labelled with when it was computed, while a task computes the current one; exact readers compute inline.

#: How long a kept value lasts for stale reads (a day: older than that, it is computed inline again).
LATEST_TIMEOUT_SECONDS = 24 * 3600
#: A queued recompute claims its value (a burst of writes queues one) until its task starts, at most this long.
REFRESH_CLAIM_SECONDS = 3600
#: A recompute queued this long ago and not started (no worker): the stale reader computes it itself.
REFRESH_WAIT_SECONDS = 120


@dataclass(frozen=True)
class Read(Generic[T]):
    """A cached read: the value, whether it is the current generation's, and when it was computed."""

    value: T
    fresh: bool
    computed_at: dt.datetime


def _kept_key(name: str, parts: tuple, kind: str = "latest") -> str:
    digest = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f"agenda:{kind}:{name}:{digest}"


def cached_keeping_latest(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """compute(), cached for the current generation (exact, like `cached`), and kept for stale readers."""
    return fresh_or_latest(name, parts, compute, refresh=None).value


def fresh_or_latest(name: str, parts: tuple, compute: Callable[[], T],
                    refresh: Callable[[], bool] | None) -> Read[T]:
    """The one rule for readers that accept a stale answer: the value computed at the current generation
    when there is one; otherwise an earlier one (stale, `fresh` False) while `refresh()` queues a recompute,
    once per burst of writes (the first stale reader claims it); with no earlier value, without `refresh`
    (exact readers), when nothing could be queued (`refresh()` returned False) or when the queued recompute
    has not started after REFRESH_WAIT_SECONDS (no worker), compute() here."""
    current = generation()
    if current is None:
        return Read(compute(), True, timezone.now())
    kept_key, claim_key = _kept_key(name, parts), _kept_key(name, parts, "refreshing")
    found = cache.get_many([kept_key, claim_key])  # one round trip
    kept = found.get(kept_key)
    if kept is not None and kept[0] == current:
        return Read(kept[2], True, kept[1])
    if kept is not None and refresh is not None:
        claimed_at = found.get(claim_key)
        if claimed_at is None and claim(name, parts, REFRESH_CLAIM_SECONDS):
            if refresh():
                again = cache.get(kept_key)  # an eager task (tests) has stored the current value already
                if again is not None and again[0] == current:
                    return Read(again[2], True, again[1])
                return Read(kept[2], False, kept[1])
            release(name, parts)  # nothing queued (the broker is down): compute here rather than stay stale
        elif claimed_at is None or time.time() - claimed_at < REFRESH_WAIT_SECONDS:
            return Read(kept[2], False, kept[1])  # a recompute is queued
        # else: queued long ago and never started (no worker): exact here; the claim stays until a task runs
    computed_at = timezone.now()
    value = compute()
    cache.set(kept_key, (current, computed_at, value), LATEST_TIMEOUT_SECONDS)
    return Read(value, True, computed_at)


def release(name: str, parts: tuple = ()) -> None:
    """Drop the claim on a queued recompute: the task does so as it starts, so that a write made while it
    computes queues the next one."""
    cache.delete(_kept_key(name, parts, "refreshing"))


def kept(name: str, parts: tuple) -> bool:
    """Whether a value is kept for `name` and `parts`, current or not."""
    return enabled() and cache.has_key(_kept_key(name, parts))


def forget(name: str, parts: tuple) -> None:
    """Drop the kept value (benchmarks/pages.py --no-kept measures the page that computes it)."""
    cache.delete(_kept_key(name, parts))


def claim(name: str, parts: tuple = (), timeout: int = REFRESH_WAIT_SECONDS) -> bool:
    """Claim the recompute of `name` and `parts` (True: the caller queues it; False: already queued). The
    claim holds the time it was made."""
    return cache.add(_kept_key(name, parts, "refreshing"), time.time(), timeout)
