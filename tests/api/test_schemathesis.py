"""Schemathesis against the whole API (scripts/schemathesis-check): no 5xx, no answer that breaks the schema.

Slow (about two and a half minutes: the run is bounded by SCHEMATHESIS_MAX_TIME); CI runs it with the rest.
In the PostgreSQL pass of the suite the server under test runs on a scratch PostgreSQL database (created
and dropped here), because some faults only PostgreSQL shows (a value longer than its column, say).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.support import unavailable

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _scratch_database():
    """A database URL for the run: None (a SQLite file of the script's own) unless the suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        yield None
        return
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_schemathesis"
    admin_url = urlunparse(parsed._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parsed._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(tmp_path):
    if shutil.which("curl") is None:
        unavailable("curl is not installed")
    if not (Path(sys.executable).parent / "schemathesis").exists() and shutil.which("schemathesis") is None:
        unavailable("schemathesis is not installed (it is in requirements.txt)")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "SCHEMATHESIS_PORT": str(_free_port()),
        "SCHEMATHESIS_MAX_TIME": os.environ.get("SCHEMATHESIS_MAX_TIME", "120"),
        "SCHEMATHESIS_REPORT_DIR": str(tmp_path),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)  # the script runs its own server on its own throw-away database
    with _scratch_database() as database_url:
        if database_url:
            env["SCHEMATHESIS_DATABASE_URL"] = database_url
        done = subprocess.run([str(ROOT / "scripts" / "schemathesis-check")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary + done.stderr[-3000:]
    assert "No issues found" in done.stdout, summary
