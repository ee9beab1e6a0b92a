"""The real stack for fault tests: gunicorn serving the app, a plain HTTP client with a staff session or an
API key, and a local SMTP server that shows what a worker really sent. Workers and private Redis servers
come from tests/jobs/processes.py. Every process started here is stopped by its own pid."""

from __future__ import annotations

import contextlib
import email
import http.client
import json
import os
import secrets
import select
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from django.conf import settings

from tests.jobs.processes import BASE_DIR, _die_with_parent, free_port, wait_until


def gunicorn_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production-shaped settings for a gunicorn under test (plain http on 127.0.0.1, no TLS in front)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST", "REDIS_URL", "DJANGO_ALLOW_ASYNC"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url, "DEBUG": "0",
        # The test settings keep plain static files storage (no collectstatic) and cheap password hashes; the
        # rest is production: DEBUG off, throttles and login lockout on at their production values.
        # The test's own secret key: sessions made in the test process (session_for) are valid there.
        "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_CLIENT": "600/minute", "API_THROTTLE_USER": "600/minute", "API_THROTTLE_ANON": "60/minute",
        "AXES_ENABLED": "1", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128", "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
        "WEB_CONCURRENCY": "2", "WEB_THREADS": "4",
    })
    env.update(extra)
    return env


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


class Http:
    """One caller: a staff session (cookie and CSRF token) or an API key. A new connection per request, so
    a restarted server is simply reached again."""

    def __init__(self, port: int, *, session: str | None = None, key: str | None = None, timeout: float = 30):
        self.port, self.timeout = port, timeout
        csrf = secrets.token_hex(16)  # a 32-character secret: the cookie and the header carry the same
        self.headers: dict[str, str] = {"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf}
        if session:
            self.headers["Cookie"] += f"; sessionid={session}"
        if key:
            self.headers["Authorization"] = f"Bearer {key}"

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
                form: bool = False) -> Answer:
        all_headers = {**self.headers, **(headers or {})}
        payload = None
        if body is not None:
            if form:
                from urllib.parse import urlencode

                payload = urlencode(body).encode()
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                payload = json.dumps(body).encode()
                all_headers["Content-Type"] = "application/json"
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=payload, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                          time.monotonic() - started)
        finally:
            connection.close()

    def get(self, path: str, **options) -> Answer:
        return self.request("GET", path, **options)

    def post(self, path: str, body: dict | None = None, **options) -> Answer:
        return self.request("POST", path, body if body is not None else {}, **options)


def session_for(user) -> str:
    """A real session in the database for `user`, as a sign-in would leave it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Gunicorn:
    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.env, self.log = env, log
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Gunicorn:
        command = [sys.executable, "-m", "gunicorn", "presidency.wsgi", "-c", "presidency/gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{self.port}", "--access-logfile", str(self.log.with_suffix(".access"))]
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=_die_with_parent)

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.output()}")
            try:
                return Http(self.port, timeout=2).get("/health/").status == 200
            except OSError:
                return False

        wait_until(up, timeout=timeout, what="gunicorn", interval=0.2)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(25)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""

    def server_errors(self) -> list[str]:
        """Access-log lines of 5xx answers (gunicorn.conf.py's format: `host "request" status ...`)."""
        access = self.log.with_suffix(".access")
        lines = access.read_text(errors="replace").splitlines() if access.exists() else []
        messages = []
        for line in lines:
            try:  # JSON lines (LOG_FORMAT=json): the access line is the message
                messages.append(json.loads(line)["message"])
            except (ValueError, KeyError, TypeError):
                messages.append(line)
        return [message for message in messages if message.split('" ', 1)[-1][:1] == "5"]


@contextlib.contextmanager
def running_gunicorn(env: dict[str, str], folder: Path) -> Iterator[Gunicorn]:
    server = Gunicorn(env, folder / "gunicorn.log").start()
    try:
        yield server
    finally:
        server.stop()


# --- SMTP ------------------------------------------------------------------------------------------------------

@dataclass
class Mailbox:
    """What a local SMTP server accepted (answered 250 to), in order. The `hold_at`-th message is held
    before its answer until `release` is set: a sender killed meanwhile has not had the email accepted."""

    port: int = 0
    accepted: list[Message] = field(default_factory=list)
    dropped: list[Message] = field(default_factory=list)
    hold_at: int = 0
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: int = 0

    def wait_for(self, count: int, timeout: float) -> list[Message]:
        return wait_until(lambda: len(self.accepted) >= count and list(self.accepted), timeout=timeout,
                          what=f"{count} accepted email(s), got {len(self.accepted)}")


@contextlib.contextmanager
def running_smtp(**options) -> Iterator[Mailbox]:
    mailbox = Mailbox(**options)

    class Session(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())
            self.wfile.flush()

        def handle(self) -> None:
            self.reply("220 localhost test SMTP")
            while True:
                line = self.rfile.readline()
                if not line:
                    return  # the sender went away
                verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 localhost")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    if not self.data():
                        return
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Not implemented")

        def data(self) -> bool:
            lines = []
            while True:
                line = self.rfile.readline()
                if not line:
                    return False  # cut off mid-message: nothing was accepted
                if line in (b".\r\n", b".\n"):
                    break
                lines.append(line[1:] if line.startswith(b"..") else line)
            with mailbox.lock:
                mailbox.received += 1
                number = mailbox.received
            if number == mailbox.hold_at:
                mailbox.holding.set()
                mailbox.release.wait(60)
                # A live sender sends nothing while it waits for our answer; a killed one's socket closes.
                # Give the kernel a moment: the worker's pool process may die a little after its parent.
                readable, _w, _x = select.select([self.connection], [], [], 2)
                if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                    # The sender died while we held the answer: like a real server, drop the message.
                    with mailbox.lock:
                        mailbox.dropped.append(email.message_from_bytes(b"".join(lines)))
                    return False
            try:
                self.reply("250 OK: queued")
            except OSError:
                return False  # the sender died before hearing the answer: it does not know it was accepted
            with mailbox.lock:
                mailbox.accepted.append(email.message_from_bytes(b"".join(lines)))
            return True

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Session)
    mailbox.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield mailbox
    finally:
        mailbox.release.set()
        server.shutdown()
        server.server_close()
