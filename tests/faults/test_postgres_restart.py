"""PostgreSQL restarted during traffic: gunicorn on a scratch database, staff reading the board and systems
reporting progress (If-Match, Idempotency-Key) from several threads, and the real server restarted in the
middle with pg_ctlcluster.

Requests caught by the restart answer 503 with Retry-After (never 500); the requests after it succeed;
every accepted report is in the log exactly once, no refused one left a trace, and every activity's
version equals the number of its log rows (each write bumps the version and logs once, in one transaction:
a half-written activity would break the count).

PostgreSQL pass only: it restarts the machine's PostgreSQL server, which every database on it notices.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass

import pytest

from tests.faults.support import Http, gunicorn_env, running_gunicorn
from tests.jobs.processes import BASE_DIR, wait_until
from tests.support import unavailable

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.exclusive]

ACTIVITIES = 8
WRITERS = 6
READERS = 2


def _cluster_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def _postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def _pg_ctlcluster(action: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _cluster_version(), "main", action],
                   check=True, capture_output=True, timeout=120)


@pytest.fixture
def postgres_server():
    """The machine's PostgreSQL cluster; running again when the test ends, whatever happened."""
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
    if shutil.which("pg_ctlcluster") is None or not os.path.isdir("/etc/postgresql"):
        unavailable("pg_ctlcluster is not installed (Debian's postgresql-common)")
    yield
    if not _postgres_ready():
        _pg_ctlcluster("start")
    wait_until(_postgres_ready, timeout=60, what="PostgreSQL to accept connections")
    connections.close_all()  # this process's connections died with the old server: later tests reconnect


@pytest.fixture
def scratch_database(postgres_server):
    """`<test database>_faults`, created, migrated and seeded for the test, dropped afterwards."""
    import psycopg
    from django.db import connections

    config = connections["default"].settings_dict
    name = f"{config['NAME']}_faults"
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    server = f"postgres://{user}{password}@{config.get('HOST') or '127.0.0.1'}:{config.get('PORT') or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        yield url
    finally:
        wait_until(_postgres_ready, timeout=60, what="PostgreSQL to accept connections")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SEED = """
import json
from django.test import Client
from tests import factories
from tracker import services
from tracker.models import ApiClient, Role
from tracker.permissions import Actor

presidency = factories.PresidencyFactory()
priority = factories.PriorityFactory(presidency=presidency, number=1)
body = factories.BodyFactory(code="by-mod")
coordinator = factories.make_staff("coordinator", Role.COORDINATOR)
actor = Actor.for_user(coordinator)
ids = [services.activity_create(actor=actor, data={
    "priority": priority, "title": f"Activity {n}", "due_date": presidency.period_end, "responsible_body": body,
}).pk for n in range(COUNT)]
_client, key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
browser = Client()
browser.force_login(coordinator)
print(json.dumps({"ids": ids, "key": key, "session": browser.cookies["sessionid"].value}))
"""


def _prepare(env: dict[str, str]) -> dict:
    def manage(*args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput", "-v0")
    return json.loads(manage("shell", "-c", SEED.replace("COUNT", str(ACTIVITIES))).strip().splitlines()[-1])


@dataclass
class Outcome:
    kind: str
    status: int  # 0: the connection failed (the server went away mid-request)
    started: float
    key: str = ""


def test_a_postgres_restart_during_traffic_answers_503_loses_nothing_and_recovers(scratch_database, tmp_path):
    import psycopg

    env = gunicorn_env(scratch_database, DATABASE_CONN_MAX_AGE="60", WEB_CONCURRENCY="2", WEB_THREADS="4")
    seeded = _prepare(env)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()

    with running_gunicorn(env, tmp_path) as web:
        def record(outcome: Outcome) -> None:
            with lock:
                outcomes.append(outcome)

        def call(http: Http, kind: str, method: str, path: str, **options) -> tuple[int, dict]:
            started = time.monotonic()
            try:
                answer = http.request(method, path, **options)
            except OSError:
                record(Outcome(kind, 0, started, options.get("headers", {}).get("Idempotency-Key", "")))
                return 0, {}
            record(Outcome(kind, answer.status, started, options.get("headers", {}).get("Idempotency-Key", "")))
            return answer.status, answer.headers

        def writer(seed: int) -> None:
            rng = random.Random(seed)
            api = Http(web.port, key=seeded["key"], timeout=20)
            while not stop.is_set():
                pk = rng.choice(seeded["ids"])
                status, headers = call(api, "read", "GET", f"/api/v1/activities/{pk}/")
                if status != 200:
                    time.sleep(0.2)
                    continue
                key = str(uuid.uuid4())
                if rng.random() < 0.5:
                    body = {"progress": rng.randrange(0, 100), "note": f"key:{key}"}
                    path = f"/api/v1/activities/{pk}/updates/"
                else:
                    body = {"status": rng.choice(["in_progress", "at_risk", "blocked"]), "note": f"key:{key}"}
                    path = f"/api/v1/activities/{pk}/transition/"
                call(api, "write", "POST", path, body=body,
                     headers={"If-Match": headers["etag"], "Idempotency-Key": key})

        def reader() -> None:
            staff = Http(web.port, session=seeded["session"], timeout=20)
            while not stop.is_set():
                call(staff, "page", "GET", "/board/")
                call(staff, "page", "GET", f"/activities/{seeded['ids'][0]}/")

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        threads += [threading.Thread(target=reader) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            restart_started = time.monotonic()
            _pg_ctlcluster("restart")
            wait_until(_postgres_ready, timeout=60, what="PostgreSQL to accept connections after the restart")
            restarted = time.monotonic()
            time.sleep(3)
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)

        # After the restart: everything answers again.
        staff = Http(web.port, session=seeded["session"])
        api = Http(web.port, key=seeded["key"])
        assert staff.get("/board/").status == 200
        etag = api.get(f"/api/v1/activities/{seeded['ids'][0]}/").headers["etag"]
        final_key = str(uuid.uuid4())
        final = api.post(f"/api/v1/activities/{seeded['ids'][0]}/updates/",
                         {"progress": 55, "note": f"key:{final_key}"},
                         headers={"If-Match": etag, "Idempotency-Key": final_key})
        assert final.status == 201, final.body
        outcomes.append(Outcome("write", 201, time.monotonic(), final_key))
        server_errors = web.server_errors()

    statuses = {o.status for o in outcomes}
    during = [o for o in outcomes if restart_started <= o.started < restarted]
    assert any(o.status in (503, 0) for o in during) or not during, "the restart went unnoticed"
    assert [line for line in server_errors if '" 503 ' not in line] == [], "only 503s may be server errors"
    assert not statuses - ({0, 503} | set(range(200, 500))), statuses
    late = [o for o in outcomes if o.started > restarted + 1]
    assert late and all(200 <= o.status < 500 for o in late), [o for o in late if not 200 <= o.status < 500]
    accepted = [o.key for o in outcomes if o.kind == "write" and 200 <= o.status < 300]
    refused = [o.key for o in outcomes if o.kind == "write" and 400 <= o.status < 500]
    unknown = [o.key for o in outcomes if o.kind == "write" and o.status in (0, 503)]
    assert len(accepted) > 10, f"too little traffic to judge: {len(accepted)} accepted writes"

    with psycopg.connect(scratch_database) as check:
        logged = dict(check.execute(
            "SELECT substr(note, 5), count(*) FROM tracker_progressupdate WHERE note LIKE 'key:%' GROUP BY 1"
        ).fetchall())
        versions = check.execute(
            "SELECT a.id, a.version, count(u.id) FROM tracker_activity a "
            "LEFT JOIN tracker_progressupdate u ON u.activity_id = a.id GROUP BY a.id, a.version"
        ).fetchall()
    assert [key for key in accepted if logged.get(key) != 1] == [], "an accepted write is missing or doubled"
    assert [key for key in refused if key in logged] == [], "a refused write left a trace"
    assert all(logged.get(key, 0) <= 1 for key in unknown)
    assert [(pk, v, n) for pk, v, n in versions if v != n] == [], "version and log disagree: a half-written activity"
    with contextlib.suppress(Exception):
        print(f"\n{len(outcomes)} requests, statuses {sorted(statuses)}, {len(accepted)} accepted writes, "
              f"{len(refused)} refused, {len(unknown)} cut off by the restart")
