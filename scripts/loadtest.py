"""The bounded load test (docs/operations.md, "Load test"): gunicorn on PostgreSQL, 127.0.0.1 only.

20 staff sessions browse (dashboard, board, activity pages, timeline) while 10 other systems report
progress and move activities through the API with If-Match and Idempotency-Key, for 60 seconds. Some
writes are deliberately sent twice with the same key (a client retrying after a timeout) and some carry
a stale If-Match (a client that read before someone else wrote). Afterwards the database is checked:

- no answer was a 5xx (and no connection failed);
- every accepted write (2xx) is in the ProgressUpdate log exactly once, retries included;
- no refused write (4xx) left a log row;
- each activity's version grew by exactly the number of log rows written meanwhile (no half-written one).

Run it with `scripts/loadtest` (which prepares PostgreSQL, Redis and the virtualenv). It makes a scratch
database (tracker_load by default), drops it at the end, and stops everything it started. At most 2 minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TOTAL_BUDGET_SECONDS = 120
PAGES = ["/", "/board/", "/timeline/"]  # and activity pages, picked at random

SETUP = r"""
import json, secrets
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from tracker.models import Activity, ApiClient, Body, Role, StaffProfile

User = get_user_model()
bodies = list(Body.objects.order_by("code"))
roles = [Role.COORDINATOR, Role.EDITOR, Role.VIEWER]
sessions = []
for n in range(SESSIONS):
    user = User.objects.create(username=f"load-staff-{n:02d}", email=f"load-staff-{n:02d}@example.org", is_staff=True)
    user.set_unusable_password()
    user.save()
    role = roles[n % 3]
    StaffProfile.objects.update_or_create(user=user, defaults={
        "role": role, "body": bodies[n % len(bodies)] if role == Role.EDITOR else None, "wants_digest": False})
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
keys = []
for n in range(SYSTEMS):
    client = ApiClient(name=f"load-system-{n:02d}", scope=ApiClient.Scope.WRITE, all_bodies=True)
    keys.append(client.set_new_key())
    client.save()
ids = list(Activity.objects.filter(status__in=["planned", "in_progress", "at_risk", "blocked"])
          .filter(milestones__isnull=True).order_by("id").values_list("id", flat=True))
print(json.dumps({"sessions": sessions, "keys": keys, "activities": ids}))
"""


@dataclass
class Sample:
    kind: str
    status: int  # 0: the connection failed
    seconds: float
    key: str = ""
    activity: int = 0
    replayed: bool = False
    update_id: int | None = None


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def _request(port: int, method: str, path: str, headers: dict[str, str], body: dict | None = None):
    payload = json.dumps(body).encode() if body is not None else None
    if payload is not None:
        headers = {**headers, "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    started = time.monotonic()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, time.monotonic() - started
    except OSError:
        return 0, {}, b"", time.monotonic() - started
    finally:
        connection.close()


def browse(port: int, session: str, activities: list[int], until: float, run: Run, seed: int) -> None:
    rng = random.Random(seed)
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}"}
    while time.monotonic() < until:
        path = rng.choice([*PAGES, "activity"])
        if path == "activity":
            path = f"/activities/{rng.choice(activities)}/"
            kind = "page:activity"
        else:
            kind = {"/": "page:dashboard", "/board/": "page:board", "/timeline/": "page:timeline"}[path]
        status, _h, _b, seconds = _request(port, "GET", path, headers)
        run.add(Sample(kind, status, seconds))


def report(port: int, key: str, activities: list[int], until: float, run: Run, seed: int) -> None:
    """One other system: read an activity, then report progress or move it, with If-Match and a new key;
    now and then send the same write again (a retry), or write with the ETag of an older version."""
    rng = random.Random(seed)
    auth = {"Authorization": f"Bearer {key}"}
    moves = {"planned": ["in_progress"], "in_progress": ["at_risk", "blocked", "planned"],
             "at_risk": ["in_progress", "blocked"], "blocked": ["in_progress", "at_risk"]}
    while time.monotonic() < until:
        pk = rng.choice(activities)
        status, headers, body, seconds = _request(port, "GET", f"/api/v1/activities/{pk}/", auth)
        run.add(Sample("api:read", status, seconds, activity=pk))
        if status != 200:
            continue
        current = json.loads(body)
        etag = headers["etag"]
        stale = rng.random() < 0.1 and current["version"] > 1
        if stale:
            etag = f'"{current["version"] - 1}"'
        idempotency_key = str(uuid.uuid4())
        if rng.random() < 0.6 or current["status"] not in moves:
            kind, path = "api:report", f"/api/v1/activities/{pk}/updates/"
            payload = {"progress": rng.randrange(0, 100, 5), "note": f"load:{idempotency_key}"}
        else:
            kind, path = "api:transition", f"/api/v1/activities/{pk}/transition/"
            payload = {"status": rng.choice(moves[current["status"]]), "note": f"load:{idempotency_key}"}
        write_headers = {**auth, "If-Match": etag, "Idempotency-Key": idempotency_key}
        retries = 2 if rng.random() < 0.1 else 1
        for attempt in range(retries):
            status, headers, body, seconds = _request(port, "POST", path, write_headers, payload)
            update_id = None
            if kind == "api:report" and status == 201:
                update_id = json.loads(body).get("id")
            run.add(Sample(kind + (":retry" if attempt else "") + (":stale" if stale else ""), status, seconds,
                           idempotency_key, pk, headers.get("idempotent-replayed") == "true", update_id))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def verify(database_url: str, run: Run, versions_before: dict[int, int], logs_before: dict[int, int]) -> list[str]:
    import psycopg

    problems: list[str] = []
    writes = [s for s in run.samples if s.key]
    server_errors = [s for s in run.samples if s.status >= 500 or s.status == 0]
    if server_errors:
        problems.append(f"{len(server_errors)} answers were 5xx or failed connections")
    with psycopg.connect(database_url) as db:
        logged = dict(db.execute("SELECT substr(note, 6), count(*) FROM tracker_progressupdate "
                                 "WHERE note LIKE 'load:%' GROUP BY 1").fetchall())
        versions = dict(db.execute("SELECT id, version FROM tracker_activity").fetchall())
        logs = dict(db.execute("SELECT activity_id, count(*) FROM tracker_progressupdate GROUP BY 1").fetchall())
        done_keys = {row[0] for row in db.execute("SELECT key FROM tracker_idempotencyrecord WHERE state = 'done'")}
    accepted = {s.key for s in writes if 200 <= s.status < 300}
    refused = {s.key for s in writes if 400 <= s.status < 500} - accepted
    missing_or_doubled = [k for k in accepted if logged.get(k) != 1]
    if missing_or_doubled:
        problems.append(f"{len(missing_or_doubled)} accepted writes are not logged exactly once")
    traced = [k for k in refused if k in logged]
    if traced:
        problems.append(f"{len(traced)} refused writes left a log row")
    unlogged_keys = [k for k in accepted if k not in done_keys]
    if unlogged_keys:
        problems.append(f"{len(unlogged_keys)} accepted writes have no completed idempotency record")
    by_key: dict[str, set] = defaultdict(set)
    for s in writes:
        if s.update_id is not None:
            by_key[s.key].add(s.update_id)
    if any(len(ids) > 1 for ids in by_key.values()):
        problems.append("a retry was answered with another log row than the first attempt")
    for pk, version in versions.items():
        grown = version - versions_before.get(pk, 1)
        new_rows = logs.get(pk, 0) - logs_before.get(pk, 0)
        if grown != new_rows:
            problems.append(f"activity {pk}: version grew by {grown} but {new_rows} log rows were written")
    return problems


def snapshot(database_url: str) -> tuple[dict[int, int], dict[int, int]]:
    import psycopg

    with psycopg.connect(database_url) as db:
        versions = dict(db.execute("SELECT id, version FROM tracker_activity").fetchall())
        logs = dict(db.execute("SELECT activity_id, count(*) FROM tracker_progressupdate GROUP BY 1").fetchall())
    return versions, logs


def summary(run: Run, seconds: float, problems: list[str], setup_seconds: float) -> dict:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.samples:
        by_kind[sample.kind.split(":retry")[0].split(":stale")[0]].append(sample)
    kinds = {}
    for kind, samples in sorted(by_kind.items()):
        times = [s.seconds * 1000 for s in samples]
        kinds[kind] = {"requests": len(samples), "p50_ms": round(statistics.median(times), 1),
                       "p99_ms": round(percentile(times, 0.99), 1),
                       "statuses": dict(sorted(Counter(s.status for s in samples).items()))}
    writes = [s for s in run.samples if s.key]
    return {
        "requests": len(run.samples), "seconds": round(seconds, 1), "rps": round(len(run.samples) / seconds, 1),
        "setup_seconds": round(setup_seconds, 1),
        "statuses": dict(sorted(Counter(s.status for s in run.samples).items())),
        "writes": {
            "accepted": len({s.key for s in writes if 200 <= s.status < 300}),
            "retries_replayed": sum(1 for s in writes if ":retry" in s.kind and s.replayed),
            "stale_refused_412": sum(1 for s in writes if ":stale" in s.kind and s.status == 412),
            "refused": len({s.key for s in writes if 400 <= s.status < 500}),
        },
        "kinds": kinds,
        "verification": problems or "passed",
    }


def print_summary(result: dict) -> None:
    print(f"\n{result['requests']} requests in {result['seconds']} s: {result['rps']} requests/s "
          f"(setup {result['setup_seconds']} s)")
    print(f"statuses: {result['statuses']}")
    w = result["writes"]
    print(f"writes: {w['accepted']} accepted, {w['refused']} refused (4xx), {w['retries_replayed']} retries "
          f"replayed, {w['stale_refused_412']} stale If-Match refused with 412")
    print(f"{'kind':<18}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for kind, row in result["kinds"].items():
        print(f"{kind:<18}{row['requests']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}  {row['statuses']}")
    verdict = result["verification"]
    print("verification: " + ("passed (no 5xx; every accepted write logged exactly once; no refused write left "
                              "a trace; versions match the log)" if verdict == "passed" else "; ".join(verdict)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the load (at most 60)")
    parser.add_argument("--sessions", type=int, default=20, help="staff sessions browsing")
    parser.add_argument("--systems", type=int, default=10, help="API clients writing")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--faults", action="store_true",
                        help="the stack under supervisord with Redis stopped, the worker killed and PostgreSQL "
                             "restarted meanwhile (scripts/loadfaults.py); --seconds defaults to 90")
    parser.add_argument("--no-postgres-restart", dest="postgres_restart", action="store_false",
                        help="with --faults: leave the machine's shared PostgreSQL alone")
    args = parser.parse_args()
    if args.output is None:
        args.output = ROOT / "var" / "loadtest" / ("last-faults.json" if args.faults else "last.json")
    if args.faults:
        args.seconds = max(30, min(args.seconds if "--seconds" in sys.argv else 90, 120))
    else:
        args.seconds = max(5, min(args.seconds, 60))
    started = time.monotonic()
    database_url = os.environ["DATABASE_URL"]
    if urlparse(database_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The load test runs against this machine only (DATABASE_URL on 127.0.0.1).")

    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "presidency.settings", "DEBUG": "0", "TESTING": "0",
        "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        # The load measures the application, not the rate limits (10 systems send far more than 600/minute).
        "API_THROTTLE_CLIENT": "1000000/minute", "API_THROTTLE_USER": "1000000/minute",
        "WEB_CONCURRENCY": env.get("WEB_CONCURRENCY", "4"), "WEB_THREADS": env.get("WEB_THREADS", "4"),
        "DATABASE_CONN_MAX_AGE": env.get("DATABASE_CONN_MAX_AGE", "60"), "LOG_LEVEL": "WARNING",
        "PORT": str(args.port), "BIND_HOST": HOST,
    })
    python = sys.executable

    def manage_with(environment: dict[str, str], *command: str) -> str:
        result = subprocess.run([python, "manage.py", *command], cwd=ROOT, env=environment, capture_output=True,
                                text=True, timeout=90)
        if result.returncode:
            sys.exit(f"manage.py {command[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def manage(*command: str) -> str:
        return manage_with(env, *command)

    if args.faults:
        import loadfaults  # scripts/ is on the path: this file runs as a script

        result = loadfaults.run(args, env, database_url, manage_with)
        result["total_seconds"] = round(time.monotonic() - started, 1)
        result["ran_at"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2))
        loadfaults.print_summary(result)
        print(f"total {result['total_seconds']} s; figures saved in {args.output}")
        return 0 if result["verification"] == "passed" else 1

    print(f"Preparing {urlparse(database_url).path.lstrip('/')} (migrate, seed, {args.sessions} staff sessions, "
          f"{args.systems} API clients)...", flush=True)
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_agenda")
    prepared = json.loads(manage("shell", "-c", SETUP.replace("SESSIONS", str(args.sessions))
                                 .replace("SYSTEMS", str(args.systems))).strip().splitlines()[-1])
    log = args.output.parent / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "presidency.wsgi", "-c", "presidency/gunicorn.conf.py", "--access-logfile",
         "/dev/null", "--error-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(100):
            if _request(args.port, "GET", "/health/", {})[0] == 200:
                break
            if server.poll() is not None:
                sys.exit(f"gunicorn exited: see {log}")
            time.sleep(0.2)
        versions_before, logs_before = snapshot(database_url)
        setup_seconds = time.monotonic() - started
        if setup_seconds + args.seconds + 20 > TOTAL_BUDGET_SECONDS:
            args.seconds = max(5, int(TOTAL_BUDGET_SECONDS - setup_seconds - 20))
        print(f"Load: {args.sessions} staff sessions and {args.systems} systems for {args.seconds} s on "
              f"http://{HOST}:{args.port}/ ...", flush=True)
        run = Run()
        begin = time.monotonic()
        until = begin + args.seconds
        activities = prepared["activities"]
        threads = [threading.Thread(target=browse, args=(args.port, s, activities, until, run, n))
                   for n, s in enumerate(prepared["sessions"])]
        threads += [threading.Thread(target=report, args=(args.port, k, activities, until, run, 1000 + n))
                    for n, k in enumerate(prepared["keys"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, until - time.monotonic() + 35))
        elapsed = time.monotonic() - begin
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(25)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    problems = verify(database_url, run, versions_before, logs_before)
    result = summary(run, elapsed, problems, setup_seconds)
    result["total_seconds"] = round(time.monotonic() - started, 1)
    result["ran_at"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    result["shape"] = {"sessions": args.sessions, "systems": args.systems, "gunicorn_workers": env["WEB_CONCURRENCY"],
                       "gunicorn_threads": env["WEB_THREADS"], "activities_written": len(activities)}
    args.output.write_text(json.dumps(result, indent=2))
    print_summary(result)
    print(f"total {result['total_seconds']} s; figures saved in {args.output}")
    return 0 if result["verification"] == "passed" else 1


if __name__ == "__main__":
    sys.exit(main())
