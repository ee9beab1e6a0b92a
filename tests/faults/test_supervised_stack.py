"""`make prod`'s process supervisor (deploy/supervisord.conf): a worker killed with SIGKILL is back within
seconds, readiness says how long the worker was silent meanwhile, and every process's log is JSON lines,
the web log carrying the request id each answer gave.

supervisord runs here with its own run folder (socket, pid file, logs) and a private redis-server, on this
test's database; it is shut down (and its programs with it) when the test ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from tests.faults.support import Http, gunicorn_env
from tests.jobs.processes import BASE_DIR, free_port, private_redis, wait_until
from tests.jobs.processes import test_database_url as database_url_of_this_test
from tracker.models import WorkerHeartbeat

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CONF = str(BASE_DIR / "deploy" / "supervisord.conf")


def _ctl(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "supervisor.supervisorctl", "-c", CONF, *args], env=env,
                          capture_output=True, text=True, timeout=60).stdout.strip()


@contextlib.contextmanager
def supervised(env: dict[str, str]):
    subprocess.run([sys.executable, "-m", "supervisor.supervisord", "-c", CONF], env=env, check=True, timeout=30)
    supervisord = _ctl(env, "pid")
    try:
        yield
    finally:
        _ctl(env, "shutdown")
        if supervisord.isdigit():
            with contextlib.suppress(AssertionError):
                wait_until(lambda: not _alive(int(supervisord)), timeout=60, what="supervisord to stop")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _pid(env: dict[str, str], program: str) -> int:
    out = _ctl(env, "pid", program)
    return int(out) if out.isdigit() else 0


def test_a_killed_worker_is_restarted_and_every_process_logs_json_with_request_ids(tmp_path, redis_server_binary):
    port = free_port()
    with private_redis() as redis_server:
        env = gunicorn_env(database_url_of_this_test(), REDIS_URL=redis_server.url, TRACKER_RUN_DIR=str(tmp_path),
                           PORT=str(port), BIND_HOST="127.0.0.1", WORKER_CONCURRENCY="1",
                           WORKER_HEARTBEAT_SECONDS="1", WEB_CONCURRENCY="1", WEB_THREADS="2", LOG_LEVEL="INFO")
        (tmp_path / "log").mkdir()
        with supervised(env):
            web = Http(port, timeout=5)
            wait_until(lambda: _quietly_status(web, "/health/") == 200, timeout=60, what="gunicorn under supervisord")
            wait_until(lambda: WorkerHeartbeat.objects.exists(), timeout=90, what="the worker's first heartbeat")
            answered = web.get("/health/ready/")
            assert answered.status == 200, answered.body

            old = _pid(env, "worker")
            os.kill(old, signal.SIGKILL)
            killed = time.monotonic()
            new = wait_until(lambda: (p := _pid(env, "worker")) and p != old and p, timeout=10,
                             what="supervisord to start a new worker")
            assert time.monotonic() - killed < 10
            assert _alive(new)
            # Meanwhile readiness (from loopback: an internal caller) says how long the worker has been silent.
            WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(hours=2))
            silent = web.get("/health/ready/").json()
            assert silent["down"] == ["worker"] and silent["worker_silent_seconds"] > 3600
            wait_until(lambda: web.get("/health/ready/").status == 200, timeout=90,
                       what="the new worker's heartbeat")

        logs = {name: (tmp_path / "log" / f"{name}.log").read_text().splitlines() for name in ("web", "worker", "beat")}
    for name, lines in logs.items():
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        assert entries, f"{name}.log is empty"
    web_entries = [json.loads(line) for line in logs["web"] if line.startswith("{")]
    assert answered.headers["x-request-id"] in {entry.get("request_id") for entry in web_entries}
    assert all(line.startswith("{") for line in logs["web"]), [line for line in logs["web"] if line[:1] != "{"][:3]


def _quietly_status(http: Http, path: str) -> int:
    try:
        return http.get(path).status
    except OSError:
        return 0
