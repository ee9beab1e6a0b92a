"""Helpers of the background-job tests: a real local HTTP receiver for webhooks, the documented signature
check, and a way to point this process's Celery app at another broker."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_verifier() -> Callable[..., bool]:
    """The verification snippet of docs/api.md (Webhooks), run as written, so the docs cannot drift from the code."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace["verify_tracker_webhook"]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["X-Tracker-Event-Id"]


@dataclass
class Receiver:
    """Records every POST. `answers` are the statuses to give, in order (then 200); `hold` makes the first
    `hold_count` requests wait until `release` is set (or `hold` seconds pass)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    hold: float = 0.0
    hold_count: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 20.0, predicate: Callable[[list[Received]], bool] | None = None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                done = [r for r in self.requests if r.headers.get("X-Tracker-Event-Type")]
                if len(done) >= count and (predicate is None or predicate(done)):
                    return done
            time.sleep(0.05)
        raise AssertionError(f"expected {count} webhook request(s) within {timeout}s, got {len(self.requests)}")


@contextlib.contextmanager
def running_receiver(*, tls=None, **options) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1; with `tls` (an ssl.SSLContext) it speaks HTTPS."""
    receiver = Receiver(**options)
    seen = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                seen["n"] += 1
                number = seen["n"]
                receiver.requests.append(Received(dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
            receiver.arrived.set()
            if number <= receiver.hold_count:
                receiver.release.wait(receiver.hold)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answered {status}".encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.url = f"{'https' if tls is not None else 'http'}://127.0.0.1:{server.server_port}/hooks"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def broker(url: str, transport_options: dict | None = None) -> Iterator[None]:
    """Point this process's Celery app at `url` (publishing only), then back."""
    from presidency.celery import app

    def reset() -> None:
        # What Celery itself does after a fork: drop the pooled connections so the new URL is used.
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    previous = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options or {
        "socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0,
    }
    app.conf.task_always_eager = False
    reset()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = previous
        reset()
