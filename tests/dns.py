"""The tests' resolver (settings.WEBHOOK_RESOLVER): names resolve from a table, never from outside.

In-process tests change `RECORDS` (the `dns` fixture in tests/conftest.py resets it); processes the tests
start (a Celery worker) read the same table from the TEST_DNS environment variable (JSON) or, when set, from
the file named by TEST_DNS_FILE, which a test may rewrite while the worker runs (re-pointing a name).
Names under example.org/.com/.net answer a public address (they are never connected to in tests: their
deliveries are only queued); any other name is unknown.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

PUBLIC_EXAMPLE = "93.184.215.14"  # example.org's address: globally routable, so it passes the check
RECORDS: dict[str, list[str]] = {}
#: Every (host, port) asked, in order: a test can count lookups.
ASKED: list[tuple[str, int]] = []


def _table() -> dict[str, list[str]]:
    table = {"localhost": ["127.0.0.1"]}
    if os.environ.get("TEST_DNS"):
        table.update(json.loads(os.environ["TEST_DNS"]))
    path = os.environ.get("TEST_DNS_FILE")
    if path and Path(path).exists():
        table.update(json.loads(Path(path).read_text() or "{}"))
    table.update(RECORDS)
    return table


def resolve(host: str, port: int) -> list[str]:
    ASKED.append((host, port))
    table = _table()
    name = host.lower().rstrip(".")
    if name in table:
        answer = table[name]
        # A list is every address; a list of lists is one answer per lookup (the last repeats): re-pointing.
        if answer and isinstance(answer[0], list):
            asked = sum(1 for h, _ in ASKED if h.lower().rstrip(".") == name)
            return list(answer[min(asked, len(answer)) - 1])
        return list(answer)
    if name.endswith((".example.org", ".example.com", ".example.net")) or name in {"example.org", "example.com"}:
        return [PUBLIC_EXAMPLE]
    raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the tests' DNS table")
