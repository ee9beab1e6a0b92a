"""The load test under faults (`scripts/loadtest --faults`; docs/operations.md, "Load test under faults").

The production stack as `make prod` runs it (supervisord with gunicorn, a Celery worker and beat), on the
load test's scratch database and a private redis-server, with 30 API clients for --seconds (90 by default):

- 10 systems report progress and move activities (If-Match, Idempotency-Key; a 412 is re-read, a 503, a
  lost connection or a 409 "in progress" retried with the same key);
- 4 systems upsert by reference on 12 shared references, each time with another priority (the race that
  used to answer a false "This activity no longer exists"), 4 PATCH the same activities with If-Match
  (re-read on 412), and 2 send 50-item bulk upserts, 6 items of each on the shared references;
- 10 staff sessions browse the board.

Faults, at fixed points of the run: the Redis server is stopped for 15 s, the Celery worker is killed with
SIGKILL, and (unless --no-postgres-restart) PostgreSQL is restarted. PostgreSQL is the machine's shared
server: every database on it notices the restart.

Verified afterwards: no write lost or doubled (each accepted report logged once, each accepted upsert,
PATCH or bulk item in the history exactly once, refused ones nowhere), activity versions without gaps and
matching the history, no deadlock (pg_stat_database) and no 503 for a conflict, no false "no longer
exists", no Idempotency-Key answered "in progress" for longer than the request time limit, no 500, the
worker process back within seconds of the SIGKILL and its heartbeat soon after, and each process's log
non-empty JSON lines, the web log carrying the request ids the clients were given.
The worker's heartbeat after the SIGKILL is reported, not judged: it waits in the queue behind the load's
own tasks.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SUPERVISOR_CONF = ROOT / "deploy" / "supervisord.conf"
SHARED_REFS = 12
BULK_ITEMS = 50
REQUEST_TIME_LIMIT = 15  # WEB_TIMEOUT for this run: keys must be free again within it

SETUP = r"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from tracker.models import Activity, ApiClient, Body, Priority, Role, StaffProfile

User = get_user_model()
sessions = []
for n in range(SESSIONS):
    user = User.objects.create(username=f"load-staff-{n:02d}", is_staff=True)
    user.set_unusable_password()
    user.save()
    StaffProfile.objects.update_or_create(user=user, defaults={"role": Role.COORDINATOR, "wants_digest": False})
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
keys = []
for n in range(SYSTEMS):
    client = ApiClient(name=f"load-system-{n:02d}", scope=ApiClient.Scope.WRITE)
    keys.append(client.set_new_key())
    client.save()
ids = list(Activity.objects.filter(status__in=["planned", "in_progress", "at_risk", "blocked"])
          .filter(milestones__isnull=True).order_by("id").values_list("id", flat=True))
presidency = Activity.objects.get(pk=ids[0]).priority.presidency_id
priorities = list(Priority.objects.filter(presidency_id=presidency).values_list("id", flat=True))
body = Body.objects.order_by("code").values_list("id", flat=True).first()
print(json.dumps({"sessions": sessions, "keys": keys, "activities": ids, "priorities": priorities, "body": body}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> dict:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}


def request(port: int, method: str, path: str, headers: dict[str, str], body: object = None) -> Answer:
    import http.client

    payload = json.dumps(body).encode() if body is not None else None
    if payload is not None:
        headers = {**headers, "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    started = time.monotonic()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                      time.monotonic() - started)
    except OSError:
        return Answer(0, {}, b"", time.monotonic() - started)
    finally:
        connection.close()


@dataclass
class Write:
    kind: str  # report, transition, upsert, patch, bulk
    key: str  # Idempotency-Key, also the note ("load:<key>") or location written
    final: int = 0  # the last status received (0: never answered)
    items: int = 1


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    by_kind: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    writes: list[Write] = field(default_factory=list)
    false_gone: int = 0
    conflict_503: int = 0
    stuck_keys: list[str] = field(default_factory=list)
    longest_in_progress: float = 0.0
    request_ids: list[str] = field(default_factory=list)
    retries: int = 0

    def add(self, kind: str, answer: Answer) -> None:
        with self.lock:
            self.statuses[answer.status] += 1
            self.by_kind[kind][answer.status] += 1
            if answer.status == 400 and b"no longer exists" in answer.body:
                self.false_gone += 1
            if answer.status == 503 and b"conflicted" in answer.body:
                self.conflict_503 += 1
            rid = answer.headers.get("x-request-id")
            if rid and len(self.request_ids) < 5000:
                self.request_ids.append(rid)


class Load:
    def __init__(self, port: int, prepared: dict, until: float, tally: Tally) -> None:
        self.port, self.prepared, self.until, self.tally = port, prepared, until, tally

    def running(self) -> bool:
        return time.monotonic() < self.until

    def send(self, kind: str, method: str, path: str, headers: dict[str, str], body: object, write: Write) -> Answer:
        """Send one write; retry it with the same key, as a careful client does, on a 503, a lost connection
        or a 409 "still in progress" (for at most the run's end plus the request time limit and a margin)."""
        first_in_progress: float | None = None
        give_up = self.until + REQUEST_TIME_LIMIT + 10
        while True:
            answer = request(self.port, method, path, headers, body)
            self.tally.add(kind, answer)
            write.final = answer.status
            in_progress = answer.status == 409 and answer.json().get("code") == "idempotency_in_progress"
            if in_progress:
                first_in_progress = first_in_progress or time.monotonic()
                waited = time.monotonic() - first_in_progress
                with self.tally.lock:
                    self.tally.longest_in_progress = max(self.tally.longest_in_progress, waited)
                if waited > REQUEST_TIME_LIMIT + 2:
                    with self.tally.lock:
                        self.tally.stuck_keys.append(write.key)
                    return answer
            elif answer.status not in (0, 502, 503, 504):
                return answer
            if time.monotonic() > give_up:
                return answer
            with self.tally.lock:
                self.tally.retries += 1
            time.sleep(min(float(answer.headers.get("retry-after", "1") or 1), 2) * random.uniform(0.5, 1.0))

    def record(self, write: Write) -> Write:
        with self.tally.lock:
            self.tally.writes.append(write)
        return write

    # --- the clients -------------------------------------------------------------------------------------

    def reporter(self, key: str, seed: int) -> None:
        rng = random.Random(seed)
        auth = {"Authorization": f"Bearer {key}"}
        moves = {"planned": ["in_progress"], "in_progress": ["at_risk", "blocked"],
                 "at_risk": ["in_progress", "blocked"], "blocked": ["in_progress", "at_risk"]}
        while self.running():
            pk = rng.choice(self.prepared["activities"])
            read = request(self.port, "GET", f"/api/v1/activities/{pk}/", auth)
            self.tally.add("api:read", read)
            if read.status != 200:
                time.sleep(0.3)
                continue
            current = read.json()
            idem = str(uuid.uuid4())
            if rng.random() < 0.6 or current["status"] not in moves:
                kind, path = "report", f"/api/v1/activities/{pk}/updates/"
                body = {"progress": rng.randrange(0, 100, 5), "note": f"load:{idem}"}
            else:
                kind, path = "transition", f"/api/v1/activities/{pk}/transition/"
                body = {"status": rng.choice(moves[current["status"]]), "note": f"load:{idem}"}
            write = self.record(Write(kind, idem))
            headers = {**auth, "If-Match": read.headers["etag"], "Idempotency-Key": idem}
            self.send(f"api:{kind}", "POST", path, headers, body, write)  # a 412 re-reads: the next round

    def _item(self, rng: random.Random, location: str) -> dict:
        return {"priority": rng.choice(self.prepared["priorities"]), "title": "Shared by reference",
                "due_date": "2023-11-30", "responsible_body": self.prepared["body"], "location": location}

    def upserter(self, key: str, seed: int) -> None:
        rng = random.Random(seed)
        auth = {"Authorization": f"Bearer {key}"}
        while self.running():
            ref = f"shared-{rng.randrange(SHARED_REFS)}"
            idem = str(uuid.uuid4())
            write = self.record(Write("upsert", idem))
            self.send("api:upsert", "PUT", f"/api/v1/activities/by-ref/load/{ref}/",
                      {**auth, "Idempotency-Key": idem}, self._item(rng, idem), write)

    def patcher(self, key: str, seed: int) -> None:
        rng = random.Random(seed)
        auth = {"Authorization": f"Bearer {key}"}
        while self.running():
            ref = f"shared-{rng.randrange(SHARED_REFS)}"
            read = request(self.port, "GET", f"/api/v1/activities/by-ref/load/{ref}/", auth)
            self.tally.add("api:read", read)
            if read.status != 200:
                time.sleep(0.2)
                continue
            pk = read.json()["id"]
            for _attempt in range(5):  # on 412: read again and apply the change to the new version
                location = str(uuid.uuid4())
                write = self.record(Write("patch", location))
                answer = self.send("api:patch", "PATCH", f"/api/v1/activities/{pk}/",
                                   {**auth, "If-Match": read.headers["etag"]},
                                   {"location": location, "priority": rng.choice(self.prepared["priorities"])}, write)
                if answer.status != 412:
                    break
                read = request(self.port, "GET", f"/api/v1/activities/{pk}/", auth)
                self.tally.add("api:read", read)
                if read.status != 200:
                    break

    def bulker(self, key: str, seed: int) -> None:
        rng = random.Random(seed)
        auth = {"Authorization": f"Bearer {key}"}
        while self.running():
            idem = str(uuid.uuid4())
            # Half on the references the upserters race on, half on the bulk senders' own.
            refs = rng.sample([f"shared-{n}" for n in range(SHARED_REFS)], 6) + [
                f"bulk-{n}" for n in rng.sample(range(200), BULK_ITEMS - 6)]
            items = [{**self._item(rng, idem), "external_source": "load", "external_id": ref} for ref in refs]
            write = self.record(Write("bulk", idem, items=BULK_ITEMS))
            self.send("api:bulk", "POST", "/api/v1/activities/bulk/", {**auth, "Idempotency-Key": idem},
                      {"items": items, "note": f"load:{idem}"}, write)
            time.sleep(rng.uniform(0.5, 1.5))

    def browser(self, session: str, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Cookie": f"sessionid={session}"}
        while self.running():
            path = rng.choice(["/board/", "/", f"/activities/{rng.choice(self.prepared['activities'])}/"])
            self.tally.add("page", request(self.port, "GET", path, headers))


# --- the stack and the faults ------------------------------------------------------------------------------

class RedisServer:
    """A private redis-server: the machine's shared Redis is never stopped."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            with socket.socket() as sock:
                if sock.connect_ex((HOST, self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Stack:
    """supervisord with deploy/supervisord.conf, its run folder (socket, pid file, logs) of its own."""

    def __init__(self, env: dict[str, str], run_dir: Path) -> None:
        self.env, self.run_dir = env, run_dir

    def ctl(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "supervisor.supervisorctl", "-c", str(SUPERVISOR_CONF), *args],
                                env=self.env, capture_output=True, text=True, timeout=60)
        return result.stdout.strip()

    def start(self) -> None:
        (self.run_dir / "log").mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "supervisor.supervisord", "-c", str(SUPERVISOR_CONF)],
                       env=self.env, check=True, timeout=30)

    def pid(self, program: str) -> int:
        out = self.ctl("pid", program)
        return int(out) if out.isdigit() else 0

    def running(self, program: str) -> bool:
        return "RUNNING" in self.ctl("status", program)

    def stop(self) -> None:
        supervisord = self.ctl("pid")
        self.ctl("shutdown")
        if supervisord.isdigit():
            for _ in range(120):
                try:
                    os.kill(int(supervisord), 0)
                except ProcessLookupError:
                    return
                time.sleep(0.5)


def _cluster_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def _postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode == 0


def faults(stack: Stack, redis_server: RedisServer, database_url: str, begin: float, seconds: int,
           restart_postgres: bool, report: dict) -> list[threading.Thread]:
    """Start the three faults, each on its own clock: Redis down at 15 % of the run for 15 s, the worker
    killed at 45 %, PostgreSQL restarted at 70 % (so that the load goes on for a while after each)."""
    import psycopg

    def at(share: float) -> None:
        time.sleep(max(0.0, begin + seconds * share - time.monotonic()))

    def redis_down() -> None:
        at(0.15)
        redis_server.stop()
        report["redis_stopped_at_s"] = round(time.monotonic() - begin, 1)
        time.sleep(15)
        redis_server.start()
        report["redis_started_at_s"] = round(time.monotonic() - begin, 1)

    def worker_killed() -> None:
        at(0.45)
        old = stack.pid("worker")
        killed_at, killed_wall = time.monotonic(), time.time()
        os.kill(old, signal.SIGKILL)
        report["worker_killed_at_s"] = round(killed_at - begin, 1)
        report["worker_killed_wall"] = killed_wall
        for _ in range(600):
            new = stack.pid("worker")
            if new and new != old:
                report["worker_process_back_s"] = round(time.monotonic() - killed_at, 1)
                break
            time.sleep(0.1)
        # The heartbeat task waits in the queue behind the load's own tasks: it tells when the new worker
        # works through the queue again, not when it came back.
        for _ in range(900):
            with contextlib.suppress(psycopg.Error):
                with psycopg.connect(database_url, connect_timeout=2) as db:
                    seen = db.execute("SELECT extract(epoch FROM max(seen_at)) FROM tracker_workerheartbeat"
                                      ).fetchone()[0]
                if seen is not None and float(seen) > killed_wall:
                    report["worker_heartbeat_back_s"] = round(time.monotonic() - killed_at, 1)
                    return
            time.sleep(0.25)

    def postgres_restarted() -> None:
        at(0.70)
        started = time.monotonic()
        report["postgres_restart_at_s"] = round(started - begin, 1)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _cluster_version(), "main", "restart"],
                       check=True, timeout=120)
        while not _postgres_ready():
            time.sleep(0.2)
        report["postgres_restart_took_s"] = round(time.monotonic() - started, 1)

    threads = [threading.Thread(target=redis_down), threading.Thread(target=worker_killed)]
    if restart_postgres:
        threads.append(threading.Thread(target=postgres_restarted))
    for thread in threads:
        thread.start()
    return threads


def _worker_ready_after_kill(run_dir: Path, killed_wall: float) -> float | None:
    """Seconds from the SIGKILL to the new worker's "ready." line in worker.log (the log's local times)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(os.environ.get("TIME_ZONE") or "Europe/Minsk")  # Django logs in settings.TIME_ZONE

    for line in (run_dir / "log" / "worker.log").read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError, KeyError):
            entry = json.loads(line)
            if entry["message"].endswith(" ready."):
                when = dt.datetime.strptime(entry["time"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=zone).timestamp()
                if when > killed_wall:
                    return round(when - killed_wall, 1)
    return None


def verify(database_url: str, tally: Tally, deadlocks_before: int, run_dir: Path, report: dict) -> list[str]:
    import psycopg

    problems: list[str] = []
    with psycopg.connect(database_url) as db:
        logged = dict(db.execute("SELECT substr(note, 6), count(*) FROM tracker_progressupdate "
                                 "WHERE note LIKE 'load:%' GROUP BY 1").fetchall())
        # A version may have two history rows (a change of participating states adds one): count versions.
        in_history = dict(db.execute("SELECT location, count(DISTINCT (id, version)) FROM tracker_historicalactivity "
                                     "WHERE location <> '' GROUP BY 1").fetchall())
        gaps = db.execute(
            "SELECT a.id FROM tracker_activity a JOIN tracker_historicalactivity h ON h.id = a.id "
            "GROUP BY a.id, a.version HAVING count(DISTINCT h.version) <> a.version "
            "OR max(h.version) <> a.version OR min(h.version) <> 1").fetchall()
        deadlocks = db.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
                               ).fetchone()[0]
        by_ref = db.execute("SELECT count(*) FROM tracker_activity WHERE external_source = 'load'").fetchone()[0]
    lost, doubled, traced = [], [], []
    for write in tally.writes:
        found = logged.get(write.key, 0) if write.kind in ("report", "transition") else in_history.get(write.key, 0)
        expected = write.items
        if 200 <= write.final < 300:
            if found < expected:
                lost.append(write.key)
            elif found > expected:
                doubled.append(write.key)
        elif 400 <= write.final < 500 and found:
            traced.append(write.key)
        elif found > expected:
            doubled.append(write.key)
    accepted = [w for w in tally.writes if 200 <= w.final < 300]
    report["writes"] = {
        "sent": len(tally.writes), "acknowledged": len(accepted),
        "acknowledged_by_kind": dict(Counter(w.kind for w in accepted)),
        "refused_4xx": sum(1 for w in tally.writes if 400 <= w.final < 500),
        "unanswered": sum(1 for w in tally.writes if w.final in (0, 502, 503, 504)),
        "lost": len(lost), "doubled": len(doubled), "refused_but_written": len(traced),
        "retries_sent": tally.retries, "activities_by_reference": by_ref,
    }
    report["deadlocks"] = deadlocks - deadlocks_before
    report["conflict_503"] = tally.conflict_503
    report["false_no_longer_exists"] = tally.false_gone
    report["keys_stuck_past_limit"] = len(tally.stuck_keys)
    report["longest_in_progress_s"] = round(tally.longest_in_progress, 1)
    report["version_gaps"] = len(gaps)
    report["status_500"] = tally.statuses.get(500, 0)
    for name, value, what in [
        ("lost", len(lost), "acknowledged writes are missing"), ("doubled", len(doubled), "writes were doubled"),
        ("traced", len(traced), "refused writes were written"), ("gaps", len(gaps), "activities have version gaps"),
        ("deadlocks", report["deadlocks"], "deadlocks were detected"),
        ("conflict", tally.conflict_503, "requests answered 503 for a conflict"),
        ("gone", tally.false_gone, "false 'no longer exists' answers"),
        ("stuck", len(tally.stuck_keys), "Idempotency-Keys stayed in progress past the request time limit"),
        ("500", report["status_500"], "answers were 500"),
    ]:
        if value:
            problems.append(f"{value} {what} ({name})")
    if "worker_process_back_s" not in report or report["worker_process_back_s"] > 10:
        problems.append("the killed worker was not restarted within 10 s")
    if "worker_killed_wall" in report:
        report["worker_ready_s"] = _worker_ready_after_kill(run_dir, report.pop("worker_killed_wall"))
    if report.get("worker_ready_s") is None:
        problems.append("the new worker never reported ready after the SIGKILL")

    logs: dict[str, dict] = {}
    for name in ("web", "worker", "beat"):
        lines = [line for line in (run_dir / "log" / f"{name}.log").read_text(errors="replace").splitlines()
                 if line.strip()]
        parsed = []
        for line in lines:
            with contextlib.suppress(ValueError):
                parsed.append(json.loads(line))
        with_id = [p for p in parsed if p.get("request_id") not in (None, "", "-")]
        logs[name] = {"lines": len(lines), "json": len(parsed), "with_request_id": len(with_id)}
        if not lines:
            problems.append(f"{name}.log is empty")
        logs[name]["not_json"] = len(lines) - len(parsed)
    web_text = (run_dir / "log" / "web.log").read_text(errors="replace")
    sample = random.Random(7).sample(tally.request_ids, min(50, len(tally.request_ids)))
    logs["web"]["sampled_request_ids_found"] = f"{sum(1 for rid in sample if rid in web_text)}/{len(sample)}"
    if any(rid not in web_text for rid in sample):
        problems.append("request ids given to clients are missing from web.log")
    report["logs"] = logs
    return problems


def run(args, env: dict[str, str], database_url: str, manage) -> dict:
    """Prepare, start the stack, load it with the faults, stop it, verify. Returns the result."""
    import psycopg

    started = time.monotonic()
    redis_server = RedisServer()
    redis_server.start()
    run_dir = ROOT / "var" / "loadtest" / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    env = {**env, "REDIS_URL": redis_server.url, "TRACKER_RUN_DIR": str(run_dir), "WORKER_CONCURRENCY": "1",
           "WORKER_HEARTBEAT_SECONDS": "2", "WEB_TIMEOUT": str(REQUEST_TIME_LIMIT), "LOG_LEVEL": "INFO",
           "LOG_FORMAT": "json", "WEB_CONCURRENCY": env.get("WEB_CONCURRENCY", "4")}
    manage_env = {**env}
    print(f"Preparing {database_url.rsplit('/', 1)[-1]} ...", flush=True)
    manage(manage_env, "migrate", "--noinput", "-v0")
    manage(manage_env, "collectstatic", "--noinput", "-v0")
    manage(manage_env, "seed_agenda")
    prepared = json.loads(manage(manage_env, "shell", "-c", SETUP.replace("SESSIONS", "10").replace("SYSTEMS", "20"))
                          .strip().splitlines()[-1])
    stack = Stack(env, run_dir)
    stack.start()
    report: dict = {}
    tally = Tally()
    try:
        for _ in range(150):
            if request(args.port, "GET", "/health/", {}).status == 200:
                break
            time.sleep(0.2)
        with psycopg.connect(database_url) as db:
            deadlocks_before = db.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]
        setup_seconds = time.monotonic() - started
        print(f"Load with faults for {args.seconds} s on http://{HOST}:{args.port}/ (Redis stop, worker SIGKILL"
              f"{', PostgreSQL restart' if args.postgres_restart else ''}) ...", flush=True)
        begin = time.monotonic()
        load = Load(args.port, prepared, begin + args.seconds, tally)
        keys = prepared["keys"]
        threads = [threading.Thread(target=load.reporter, args=(keys[n], n)) for n in range(10)]
        threads += [threading.Thread(target=load.upserter, args=(keys[10 + n], 100 + n)) for n in range(4)]
        threads += [threading.Thread(target=load.patcher, args=(keys[14 + n], 200 + n)) for n in range(4)]
        threads += [threading.Thread(target=load.bulker, args=(keys[18 + n], 300 + n)) for n in range(2)]
        threads += [threading.Thread(target=load.browser, args=(session, 400 + n))
                    for n, session in enumerate(prepared["sessions"])]
        for thread in threads:
            thread.start()
        fault_threads = faults(stack, redis_server, database_url, begin, args.seconds, args.postgres_restart, report)
        for thread in threads:
            thread.join(args.seconds + REQUEST_TIME_LIMIT + 60)
        for thread in fault_threads:
            thread.join(max(1.0, begin + args.seconds + 60 - time.monotonic()))
        elapsed = time.monotonic() - begin
        ready = request(args.port, "GET", "/health/ready/", {})
        report["ready_after"] = {"status": ready.status, "seconds": round(ready.seconds, 2)}
    finally:
        stack.stop()
        redis_server.stop()
    problems = verify(database_url, tally, deadlocks_before, run_dir, report)
    return {
        "mode": "faults", "requests": sum(tally.statuses.values()), "seconds": round(elapsed, 1),
        "setup_seconds": round(setup_seconds, 1), "statuses": dict(sorted(tally.statuses.items())),
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(tally.by_kind.items())},
        **report, "verification": problems or "passed",
    }


def print_summary(result: dict) -> None:
    w = result["writes"]
    print(f"\n{result['requests']} requests in {result['seconds']} s (setup {result['setup_seconds']} s); "
          f"statuses {result['statuses']}")
    print(f"writes: {w['sent']} sent, {w['acknowledged']} acknowledged {w['acknowledged_by_kind']}, "
          f"{w['refused_4xx']} refused, {w['unanswered']} never answered; {w['retries_sent']} retries sent")
    print(f"lost {w['lost']}, doubled {w['doubled']}, refused but written {w['refused_but_written']}, "
          f"version gaps {result['version_gaps']}, deadlocks {result['deadlocks']}, "
          f"503 for a conflict {result['conflict_503']}, false 'no longer exists' {result['false_no_longer_exists']}, "
          f"keys stuck past {REQUEST_TIME_LIMIT} s {result['keys_stuck_past_limit']} "
          f"(longest 'in progress' {result['longest_in_progress_s']} s), 500s {result['status_500']}")
    print(f"faults: Redis stopped {result.get('redis_stopped_at_s')}–{result.get('redis_started_at_s')} s; worker "
          f"SIGKILLed at {result.get('worker_killed_at_s')} s, process back in "
          f"{result.get('worker_process_back_s')} s, ready (consuming) in {result.get('worker_ready_s')} s, "
          f"its first heartbeat in {result.get('worker_heartbeat_back_s')} s; PostgreSQL restart at "
          f"{result.get('postgres_restart_at_s', '-')} s took {result.get('postgres_restart_took_s', '-')} s")
    print(f"logs: {result['logs']}")
    print(f"by kind: {result['by_kind']}")
    verdict = result["verification"]
    print("verification: " + ("passed" if verdict == "passed" else "; ".join(verdict)))
