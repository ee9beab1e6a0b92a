"""Cold pages, in process: the board, the dashboard and the timeline rendered for a signed-in coordinator
right after a write (the agenda's generation bumped, so nothing comes from the page cache).

    DATABASE_URL=postgres://.../bench_db REDIS_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python benchmarks/pages.py --renders 15 [--profile board] [--json out.json]

Prints, per page, p50 / p95 of the cold render, the queries per render, the share of the time spent in SQL,
and the HTML's size. The database must hold generated load data (`generate_load_data`, then ANALYZE); the
tool only adds a coordinator. Not part of the test run; method and results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presidency.settings")
for name, value in (("DEBUG", "0"), ("SECURE_SSL_REDIRECT", "0"), ("SESSION_COOKIE_SECURE", "0"),
                    ("CSRF_COOKIE_SECURE", "0"), ("LOG_LEVEL", "WARNING"), ("ALLOWED_HOSTS", "testserver"),
                    ("SECRET_KEY", "benchmark-pages-" + "x" * 40)):
    os.environ.setdefault(name, value)

PAGES = {"board": "/board/", "dashboard": "/", "timeline": "/timeline/"}


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tracker.models import Role, StaffProfile

    user, _ = get_user_model().objects.get_or_create(username="bench-coordinator")
    StaffProfile.objects.update_or_create(user=user, defaults={"role": Role.COORDINATOR})
    client = Client()
    client.force_login(user)
    return client


FORGET_KEPT = False  # --no-kept


def _cold() -> None:
    """What a write does to the page cache: the next read of every page renders afresh. The timeline then
    shows the previous schedule while a task recomputes it (tracker/selectors/schedule.recent_schedule);
    with --no-kept there is none, so the page computes it, as the first view ever does."""
    from tracker import caching, clock
    from tracker.models import Presidency

    caching._bump()
    if FORGET_KEPT:
        for pk in Presidency.objects.values_list("pk", flat=True):
            caching.forget("schedule", (pk, clock.today().isoformat()))


def measure(pages: list[str], renders: int) -> dict[str, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()
    for path in (PAGES[page] for page in pages):  # warm up: imports, compiled templates, the statement caches
        assert client.get(path).status_code == 200
    samples: dict[str, list[tuple[float, int, float, int]]] = {page: [] for page in pages}
    for _ in range(renders):
        for page in pages:  # alternating, so a neighbour's burst on the shared machine hits every page
            _cold()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(PAGES[page])
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, (page, response.status_code)
            sql = sum(float(query["time"]) for query in queries.captured_queries)
            samples[page].append((elapsed * 1000, len(queries), sql * 1000, len(response.content)))
    results = {}
    for page, rows in samples.items():
        times = sorted(row[0] for row in rows)
        results[page] = {
            "p50_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "queries": max(row[1] for row in rows),
            "sql_ms": statistics.median(row[2] for row in rows),
            "html_kb": rows[-1][3] / 1024,
            "renders": len(rows),
            "times_ms": [round(row[0], 1) for row in rows],
        }
    return results


def profile(page: str, top: int) -> None:
    client = _client()
    client.get(PAGES[page])
    _cold()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(PAGES[page])
    profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(top)


def show_queries(page: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()
    client.get(PAGES[page])
    _cold()
    with CaptureQueriesContext(connection) as queries:
        client.get(PAGES[page])
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"])):
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:int(os.environ.get('SQL_CHARS', 400))]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=15, help="cold renders of each page")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, of: " + ", ".join(PAGES))
    parser.add_argument("--profile", choices=list(PAGES), help="print one cold render's cProfile instead")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--queries", choices=list(PAGES), help="print one cold render's statements, slowest first")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--no-kept", action="store_true",
                        help="forget the kept schedules too: the timeline computes its schedule inline")
    args = parser.parse_args()
    global FORGET_KEPT
    FORGET_KEPT = args.no_kept
    import django

    django.setup()
    from django.conf import settings

    if not settings.AGENDA_CACHE:
        print("note: AGENDA_CACHE is off (no REDIS_URL): every render is cold anyway", file=sys.stderr)
    if args.queries:
        show_queries(args.queries)
        return
    if args.profile:
        profile(args.profile, args.top)
        return
    from tracker.models import Activity

    n = Activity.objects.count()
    results = measure(args.pages.split(","), args.renders)
    print(f"N = {n:,} activities, {args.renders} cold renders each, load average {os.getloadavg()[0]:.2f}")
    print("| page | p50 ms | p95 ms | queries | SQL ms (p50) | HTML KB |")
    print("|---|---:|---:|---:|---:|---:|")
    for page, r in results.items():
        print(f"| {page} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['queries']} | {r['sql_ms']:.1f} "
              f"| {r['html_kb']:.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"n": n, "results": results}, indent=1))


if __name__ == "__main__":
    main()
