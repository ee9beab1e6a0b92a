"""The tests' Redis cache client (CLIENT_CLASS, set by tests/conftest.py when the cache is Redis)."""

from __future__ import annotations

from typing import Any

from django_redis.client import DefaultClient

from tests.support import CLAIM_KEY, flush_keeping_claim


class ClaimKeepingClient(DefaultClient):
    """clear() (a test's cache.clear()) keeps the database's claim: a plain FLUSHDB wiped it, and another test
    run on the machine could then claim the same database and lose this run's keys (tests/support.py)."""

    def clear(self, client: Any = None) -> None:
        client = client or self.get_client(write=True)
        flush_keeping_claim(client, client.get(CLAIM_KEY))
