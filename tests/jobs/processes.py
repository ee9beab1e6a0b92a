"""Real processes for the integration tests: a Celery worker (with beat) on this test database, and a
private redis-server that a test may stop and start. Everything started here is stopped by its pid."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def _die_with_parent() -> None:
    """Linux: the child is killed if the test run dies, so no worker or Redis outlives an aborted run."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database this test runs on (test_<name> on PostgreSQL, the test file on SQLite)."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"


class Worker:
    """`celery -A presidency worker -B` in its own process group, so that a kill reaches its children too."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        command = [
            sys.executable, "-m", "celery", "-A", "presidency", "worker", "-B", "--concurrency", "2",
            "--loglevel", "INFO", "--without-mingle", "--without-gossip",
            "--schedule", str(self.log.with_suffix(".beat")), "--hostname", f"test-{os.getpid()}@%h",
        ]
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )
        return self

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        with contextlib.suppress(ProcessLookupError):  # pool children that outlived their parent
            os.killpg(self.process.pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def worker_env(*, broker_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "REDIS_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.settings", "DEBUG": "0",
        "DATABASE_URL": test_database_url(), "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128",
        "WEBHOOK_SWEEP_SECONDS": "1", "WORKER_HEARTBEAT_SECONDS": "1", "WEBHOOK_TIMEOUT_SECONDS": "2",
        "WEBHOOK_LEASE_SECONDS": "1", "WEBHOOK_RETRY_BASE_SECONDS": "1", "PYTHONUNBUFFERED": "1",
    })
    env.update(broker_env)
    env.update(extra)
    return env


class RedisServer:
    """A private redis-server on its own port: the machine's shared Redis is never stopped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(up, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


@contextlib.contextmanager
def private_redis() -> Iterator[RedisServer]:
    server = RedisServer(free_port()).start()
    try:
        yield server
    finally:
        server.stop()
