"""Fault tests start real processes (gunicorn, Celery workers, redis-server) and stop what they started."""

from __future__ import annotations

import signal

import pytest

from tests.jobs.processes import RedisServer, Worker
from tests.support import unavailable


@pytest.fixture
def workers(tmp_path):
    """Start Celery workers with `workers(env)`; every one is killed when the test ends."""
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill(signal.SIGKILL)


@pytest.fixture
def redis_server_binary():
    if not RedisServer.available():
        unavailable("redis-server is not installed (apt-get install redis-server)")
