"""The optional peer case `1t`: Taiga's user-story list, 100 a page, beside our API list (issue 18).

It runs when BENCH_TAIGA_URL names a running taiga-back (setup: docs/performance.md, "The Taiga peer"), with
the list's cases or alone (`--cases peer`). Give it `--seconds 20` or more: wrk counts only the requests that
complete inside its window, and Taiga's take 1–2 s under load, so a 5 s window undercounts Taiga by about
latency / (2 x window), 10–25 %, and flatters the ratio.
BENCH_TAIGA_PROJECT is one project id, or one per size ("1000:1,10000:2") so that each N is compared with
a Taiga project of as many user stories; a size with no project of its own is measured without the peer.
Before the load, both sides' pages are fetched once and checked, so the ratio compares like with like:
a 200 with 100 items each (the table's notes give the items and bytes of each page).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from typing import Any

CASE = "1t. peer: Taiga's user-story list (100/page)"
OURS = "1p. API list like the peer's: one presidency, 100/page"
PAGE_SIZE = 100


def project_for(n: int) -> str | None:
    """The Taiga project to compare with N activities, from BENCH_TAIGA_PROJECT ("7" or "1000:1,10000:2")."""
    setting = os.environ.get("BENCH_TAIGA_PROJECT", "1").strip()
    if ":" not in setting:
        return setting
    sizes = dict(pair.split(":", 1) for pair in setting.split(",") if pair.strip())
    return sizes.get(str(n))


def gets(n: int, api: dict, presidency_id: int) -> list[tuple[str, str, str, dict, None]]:
    """The peer's GET case for N and ours shaped like it, in bench.py's (group, case, url, headers, floor_of)
    shape; none when no Taiga is given (or no project for this N)."""
    base = os.environ.get("BENCH_TAIGA_URL")
    project = project_for(n) if base else None
    if not project:
        return []
    # Taiga pages with ?page_size= (capped at 1,000) and answers a JSON array with x-pagination-* headers;
    # its x-disable-pagination header would return the whole project instead.
    url = f"{base.rstrip('/')}/api/v1/userstories?project={project}&page_size={PAGE_SIZE}"
    headers = {"Authorization": f"Bearer {os.environ.get('BENCH_TAIGA_TOKEN', '')}", "Accept": "application/json"}
    # Ours like Taiga's: one container's items (a presidency, as Taiga's project), its default order, no
    # other filter. Case 1's filtered page can hold fewer than 100 items at small N (78 at N = 1,000).
    return [("peer", OURS, f"/api/v1/activities/?presidency={presidency_id}&page_size={PAGE_SIZE}", api, None),
            ("peer", CASE, url, headers, None)]


def page_shape(url: str, headers: dict) -> tuple[int, int, int]:
    """One GET: (status, items on the page, response bytes). Taiga answers an array, our API {"results": ...}."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, 0, 0
    data = json.loads(body)
    items = data if isinstance(data, list) else data.get("results", [])
    return status, len(items), len(body)


def check_pages(shapes: dict[str, tuple[int, int, int]], required: tuple[str, ...] = (CASE, OURS)) -> list[str]:
    """Stop the run when a compared page is not a 200 with a full page of 100; one note per page."""
    notes = []
    for case, (status, items, size) in shapes.items():
        if case in required and (status != 200 or items != PAGE_SIZE):
            sys.exit(f"{case}: answered {status} with {items} items; the peer comparison needs {PAGE_SIZE} "
                     "on both sides (check BENCH_TAIGA_TOKEN and BENCH_TAIGA_PROJECT, and the N's data)")
        notes.append(f"{case}: {items} items, {size:,} bytes a page")
    return notes


def ratio(result: Any, results: list[Any]) -> str:
    """"N.Nx Taiga" for a list line whose page held as many items as the peer's (same N), else ""."""
    taiga = next((r for r in results if r.n == result.n and r.case == CASE), None)
    if taiga is None or result is taiga or not result.page_items or result.page_items != taiga.page_items:
        return ""
    return f"{result.rps / taiga.rps:.1f}x Taiga"
