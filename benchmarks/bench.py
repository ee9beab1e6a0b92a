"""The benchmark: gunicorn on PostgreSQL at N = 1,000, 10,000 and 100,000 activities; one table out.

Run it through `benchmarks/run` (which prepares the services and the virtualenv). Load comes from a second
process on 127.0.0.1: wrk for the GET cases, a small threaded client of our own for the writes (they need
each activity's current ETag). Method and results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

try:
    from benchmarks import peer
    from benchmarks.load import ROTATE, queries_per_request, request, run_writers, wrk
except ImportError:  # run as a script (benchmarks/run): benchmarks/ is on the path, the project root is not
    import peer
    from load import ROTATE, queries_per_request, request, run_writers, wrk

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"


@dataclass
class Result:
    case: str
    n: int
    rps: float
    p50_ms: float
    p99_ms: float
    queries: int | None
    errors: int = 0
    unit: str = "req/s"
    floor_of: str | None = None
    notes: list[str] = field(default_factory=list)
    rounds: list[float] = field(default_factory=list)
    old_floor_of: str | None = None
    page_items: int | None = None  # the items of a list page, when compared with the peer


# --- Processes ------------------------------------------------------------------------------------------

def manage(env: dict, *args: str) -> str:
    result = subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "presidency.wsgi", "-c", "presidency/gunicorn.conf.py",
         "--workers", str(workers), "--bind", f"{HOST}:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def worker_rss_mb(master_pid: int) -> list[float]:
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if rss:
                sizes.append(int(rss.group(1)) / 1024)
    return sizes


# --- Cases ----------------------------------------------------------------------------------------------

def prepare_fixtures(env: dict) -> dict:
    """A write API key, a coordinator's session, and ids to read and write."""
    script = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from tracker.models import Activity, ApiClient, Body, Role, StaffProfile
client = (ApiClient.objects.filter(name="benchmark").first()
          or ApiClient(name="benchmark", scope="write", all_bodies=True))
key = client.set_new_key(); client.save()
user, _ = get_user_model().objects.get_or_create(username="bench-coordinator")
StaffProfile.objects.update_or_create(user=user, defaults={"role": Role.COORDINATOR})
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
base = Activity.objects.filter(code__startswith="load-")
first = base.order_by("id").values("id", "priority_id", "priority__presidency_id",
                                   "priority__presidency__period_start").first()
writable = list(base.filter(milestones__isnull=True, status__in=["in_progress", "at_risk", "planned"])
                .order_by("id").values_list("id", flat=True)[:400])
body_id = Body.objects.filter(code="load-body-01").values_list("pk", flat=True).get()
print(json.dumps({"key": key, "session": session.session_key, "detail_id": first["id"],
                  "priority_id": first["priority_id"],
                  "presidency_id": first["priority__presidency_id"], "writable": writable, "body_id": body_id,
                  "due_date": f"{first['priority__presidency__period_start'].year}-06-30"}))
"""
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


CASE_GROUPS = ("list", "retrieve", "patch", "bulk", "pages", "schedule", "peer")


def bench_n(n: int, env: dict, port: int, seconds: int, workers: int, cases: set[str], rounds: int = 3,
            connections: int = 8) -> list[Result]:
    fixtures = prepare_fixtures(env)
    api = {"Authorization": f"Bearer {fixtures['key']}", "Accept": "application/json"}
    page = {"Cookie": f"sessionid={fixtures['session']}"}
    base = f"http://{HOST}:{port}"
    list_query = (f"?priority={fixtures['priority_id']}&status=in_progress&status=planned"
                  "&ordering=due_date&page_size=100")
    list_case, detail_case = "1. API list (100/page, filtered, by due date)", "2. API retrieve"
    detail = f"{fixtures['detail_id']}/"
    fresh_case = "1r. API list, statement built afresh (a new due_before each request)"
    gets = [
        ("list", list_case, f"/api/v1/activities/{list_query}", api, None),
        ("list", "1f. floor: one statement, raw cursor + orjson, no count", f"/floor/activities/{list_query}",
         api, list_case),
        ("list", "1o. old floor: the API's SQL of pass 1 (rows, states, count)", f"/floor-old/activities/{list_query}",
         api, "old:" + list_case),
        ("list", fresh_case, f"/api/v1/activities/{list_query}", api, None, ROTATE),
        ("list", "1rf. floor: one statement, the same rotating due_before", f"/floor/activities/{list_query}",
         api, fresh_case, ROTATE),
        ("retrieve", detail_case, f"/api/v1/activities/{detail}", api, None),
        ("retrieve", "2f. floor: one statement, raw cursor + orjson", f"/floor/activities/{detail}", api,
         detail_case),
        ("retrieve", "2o. old floor: the API's SQL of pass 1 (row, states)", f"/floor-old/activities/{detail}",
         api, "old:" + detail_case),
        ("pages", "5a. board page", "/board/", page, None),
        ("pages", "5b. dashboard", "/", page, None),
        ("pages", "5c. timeline", "/timeline/", page, None),
    ]
    cases = cases | {"peer"} if "list" in cases else cases  # the peer's cases go with the list's
    peer_gets = peer.gets(n, api, fixtures["presidency_id"]) if "peer" in cases else []  # optional: a Taiga
    gets[3:3] = peer_gets
    results = []
    chosen = [get for get in gets if get[0] in cases]
    counted: dict[str, int | None] = {}
    chosen = [(*get, None) if len(get) == 5 else get for get in chosen]  # the sixth: a wrk script, if any
    for _group, case, path, headers, _floor_of, script in chosen:
        url = path if path.startswith("http") else base + path
        wrk(url, headers, 2, 2, script)  # warm up
        # Counted after the warm-up: the first request of a minute also records the API key's last use.
        # A rotating case is counted on a URL no request used before (what each of its requests is).
        counted_path = path + "&due_before=2099-12-31" if script is ROTATE else path
        counted[case] = None if path.startswith("http") else queries_per_request(port, counted_path, headers)
    shapes = {case: peer.page_shape(path if path.startswith("http") else base + path, headers)
              for _g, case, path, headers, _f, _s in chosen if peer_gets and case in (list_case, peer.OURS, peer.CASE)}
    notes = peer.check_pages(shapes)
    # Rounds alternate between the cases (API, floor, old floor, ...), so a neighbour's burst on the shared
    # machine hits both sides of a ratio; each case's figures are the median of its rounds.
    runs: dict[str, list[tuple[float, float, float, int]]] = {case: [] for _g, case, *_rest in chosen}
    for _round in range(rounds):
        for _group, case, path, headers, _floor_of, script in chosen:
            runs[case].append(wrk(path if path.startswith("http") else base + path, headers, seconds, connections,
                                  script))
    for _group, case, _path, _headers, floor_of, _script in chosen:
        rps, p50, p99 = (statistics.median(run[i] for run in runs[case]) for i in range(3))
        errors = sum(run[3] for run in runs[case])
        old = floor_of is not None and floor_of.startswith("old:")
        results.append(Result(case, n, rps, p50, p99, counted[case], errors,
                              floor_of=None if old else floor_of, old_floor_of=floor_of[4:] if old else None,
                              rounds=[run[0] for run in runs[case]],
                              notes=[note for note in notes if note.startswith(case)] + (
                                  [f"{case}: rounds " + ", ".join(f"{run[0]:.1f}" for run in runs[case]) + " req/s"]
                                  if case in shapes else []),
                              page_items=shapes[case][1] if case in shapes else None))

    writable = fixtures["writable"]

    def patch(connection, index, step):
        activity_id = writable[(index * 97 + step) % len(writable)]
        path = f"/api/v1/activities/{activity_id}/"
        status, headers, _body = request(connection, "GET", path, api)
        body = json.dumps({"progress": (step % 90) + 5}).encode()
        started = time.monotonic()
        status, answer, _b = request(connection, "PATCH", path, {**api, "Content-Type": "application/json",
                                                                  "If-Match": headers.get("ETag", "")}, body)
        return status == 200, time.monotonic() - started, int(answer.get("X-Queries", "-1"))

    if "patch" in cases:
        rps, p50, p99, errors, queries = run_writers(port, seconds, 4, patch)
        results.append(Result("3. API PATCH progress with If-Match", n, rps, p50, p99, queries, errors))

    run_id = uuid.uuid4().hex[:8]

    def bulk(connection, index, step):
        items = [{"external_source": "bench", "external_id": f"{run_id}-{index}-{step % 4}-{i}",
                  "priority": fixtures["priority_id"], "title": f"Bulk item {i}", "due_date": fixtures["due_date"],
                  "responsible_body": fixtures["body_id"], "progress": step % 100} for i in range(500)]
        started = time.monotonic()
        status, answer, content = request(connection, "POST", "/api/v1/activities/bulk/",
                                      {**api, "Content-Type": "application/json"},
                                      json.dumps({"items": items}).encode())
        if status >= 400 and step == 0:
            print(f"bulk answered {status}: {content[:300]!r}", file=sys.stderr)
        return status < 300, time.monotonic() - started, int(answer.get("X-Queries", "-1"))

    if "bulk" in cases:
        rps, p50, p99, errors, queries = run_writers(port, seconds, 2, bulk)
        results.append(Result("4. bulk upsert, 500 by reference", n, rps * 500, p50, p99, queries, errors,
                              unit="items/s"))
    if "schedule" in cases:
        results.append(schedule_forecast(env, n))
    return results


def schedule_forecast(env: dict, n: int) -> Result:
    """6. The forecast of a whole agenda (benchmarks/schedule.py: 10,000 activities, 20,000 links in a
    presidency of its own, built once), uncached, in-process: median and slowest of five (as p50 and p99)."""
    script = "import json; from benchmarks.schedule import measure; print(json.dumps(measure()))"
    measured = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    case = (f"6. forecast, whole agenda ({measured['activities']:,} activities, {measured['links']:,} links), "
            "uncached")
    return Result(case, n, 1 / measured["median_s"], measured["median_s"] * 1000, measured["worst_s"] * 1000,
                  measured["queries"], unit="runs/s",
                  notes=[f"forecast late: {measured['forecast_late']}, longest critical chain: "
                         f"{measured['longest_chain']}"])


# --- Output ---------------------------------------------------------------------------------------------

def table(results: list[Result], memory: dict[int, list[float]]) -> str:
    floors = {(r.case, r.n): r for r in results}
    lines = ["| case | N | throughput | p50 ms | p99 ms | queries/req | vs floor | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ratio = ""
        if r.floor_of is None and any(f.floor_of == r.case for f in results):
            floor = next((f for (c, n), f in floors.items() if n == r.n and f.floor_of == r.case), None)
            old = next((f for f in results if f.n == r.n and f.old_floor_of == r.case), None)
            ratio = f"{r.rps / floor.rps:.2f}" if floor else ""
            ratio += f" (old floor: {r.rps / old.rps:.2f})" if old else ""
        ratio = " ".join(filter(None, [ratio, peer.ratio(r, results)]))
        lines.append(f"| {r.case} | {r.n:,} | {r.rps:,.0f} {r.unit} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
                     f"{'' if r.queries is None else r.queries} | {ratio} | {r.errors} |")
    lines.append("")
    lines += [f"- N = {r.n:,}, {note}" for r in results for note in r.notes]
    for n, sizes in memory.items():
        lines.append(f"gunicorn worker memory after N = {n:,}: "
                     + ", ".join(f"{s:.0f} MB" for s in sorted(sizes)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    # 3 s x 3 alternating rounds: the default run (three sizes, every case) fits in 15 minutes on the shared
    # 2-core machine (docs/performance.md); ask for more on a quiet one.
    parser.add_argument("--seconds", type=int, default=3, help="Load duration per case and round")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds of the GET cases (median)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections for the GET cases")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cases", default=",".join(CASE_GROUPS),
                        help=f"Which cases to run, comma-separated, of: {', '.join(CASE_GROUPS)}")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "latest.md"))
    parser.add_argument("--keep-data", action="store_true",
                        help="Use the database as it is (benchmarks/run then does not recreate it): generate only "
                             "the activities missing for each size, so one generated database serves several runs")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "DEBUG": "0", "SECURE_SSL_REDIRECT": "0",
           "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECRET_KEY": os.environ.get("SECRET_KEY") or uuid.uuid4().hex * 2}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    results: list[Result] = []
    memory: dict[int, list[float]] = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    for n in sizes:
        # The forecast's agenda is its own (10,000 activities whatever N): measured once, at the last size.
        cases = set(args.cases.split(",")) - ({"schedule"} if n != sizes[-1] else set())
        existing = int(manage(env, "shell", "-c", "from tracker.models import Activity; "
                              "print(Activity.objects.filter(code__startswith='load-').count())").split()[-1])
        if existing > n:
            sys.exit(f"The database holds {existing:,} generated activities, more than N = {n:,}: measure that size, "
                     "or use a fresh database (benchmarks/run without --keep-data).")
        print(f"== N = {n:,}: generating data", flush=True)
        print(manage(env, "generate_load_data", "--activities", str(n)).strip(), flush=True)
        manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
        server = start_gunicorn(env, args.port, args.workers)
        try:
            print(f"== N = {n:,}: measuring", flush=True)
            results += bench_n(n, env, args.port, args.seconds, args.workers, cases, args.rounds, args.connections)
            memory[n] = worker_rss_mb(server.pid)
        finally:
            stop(server)
        print(table([r for r in results if r.n == n], {n: memory[n]}), flush=True)
    report = table(results, memory) + f"\n\nTotal run time: {time.monotonic() - started:.0f}s\n"
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
