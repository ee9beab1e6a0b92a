"""Where a bulk upsert of 500 items spends its time, in process (docs/performance.md, "Bulk upsert").

Run on a database that benchmarks/bench.py generated (generate_load_data), with the benchmark's settings:
    DATABASE_URL=postgres://.../bench_db DJANGO_SETTINGS_MODULE=benchmarks.settings SECRET_KEY=... \\
    ALLOWED_HOSTS=testserver PYTHONPATH=. .venv/bin/python benchmarks/bulk_split.py [rounds]
Each round posts 500 new references, then the same 500 again with new progress (the benchmark's case 4),
through the test client and the whole middleware stack. Prints the mean per request and per step, then the
median wall and CPU time of the create and of the update requests (the process's CPU time is what load on a
shared machine disturbs least).
"""

from __future__ import annotations

import collections
import json
import os
import statistics
import sys
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.test import Client  # noqa: E402
from rest_framework import serializers as drf  # noqa: E402

import tracker.services as services  # noqa: E402
from tracker import dbcopy, events  # noqa: E402
from tracker.models import Activity, ApiClient, Body  # noqa: E402
from tracker.services import bulk  # noqa: E402

spent: dict[str, float] = collections.defaultdict(float)


def timed(owner: object, name: str, label: str) -> None:
    original = getattr(owner, name)

    def run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    setattr(owner, name, run)


def main(rounds: int) -> None:
    api_client = ApiClient.objects.filter(name="benchmark").first() or ApiClient(
        name="benchmark", scope="write", all_bodies=True)
    key = api_client.set_new_key()
    api_client.save()
    first = (Activity.objects.filter(code__startswith="load-").order_by("id")
             .values("priority_id", "priority__presidency__period_start").first())
    body_id = Body.objects.filter(code="load-body-01").values_list("pk", flat=True).get()
    due = f"{first['priority__presidency__period_start'].year}-06-30"
    client, run = Client(), uuid.uuid4().hex[:8]

    passes: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)

    def post(progress: int, batch: str) -> float:
        items = [{"external_source": "bench", "external_id": f"{run}-{batch}-{i}", "priority": first["priority_id"],
                  "title": f"Bulk item {i}", "due_date": due, "responsible_body": body_id, "progress": progress}
                 for i in range(500)]
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/activities/bulk/", json.dumps({"items": items}),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 200, response.content[:500]
        elapsed = time.perf_counter() - started
        passes["update" if progress else "create"].append((elapsed, time.process_time() - cpu))
        return elapsed

    timed(drf.Serializer, "is_valid", "1 the door's serializer")
    timed(services, "activities_bulk_upsert", "2 the service (with lock and commit)")
    timed(bulk, "upsert_by_ref", "3 the set-based path")
    for name in ("_lock_existing", "_links", "_plan_create", "_plan_update", "_validate", "_write", "_update",
                 "_write_links", "_write_history", "_write_log", "_emit"):
        timed(bulk, name, f"  {name}")
    timed(dbcopy, "insert", "    dbcopy.insert, all tables")
    timed(events, "_representations", "    the events' representations")
    post(0, "warm")
    post(1, "warm")
    spent.clear()
    passes.clear()
    total = sum(post(0, f"r{r}") + post(r + 1, f"r{r}") for r in range(rounds))
    print(f"per request, mean of {2 * rounds} (create and update passes): {1000 * total / (2 * rounds):.0f} ms")
    for label in sorted(spent):
        print(f"  {label:45s} {1000 * spent[label] / (2 * rounds):7.1f} ms")
    for kind, times in passes.items():
        print(f"{kind}: median {1000 * statistics.median(t for t, _c in times):.0f} ms wall, "
              f"{1000 * statistics.median(c for _t, c in times):.0f} ms CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
