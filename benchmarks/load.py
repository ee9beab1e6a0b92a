"""The benchmark's load: wrk for the GET cases, a small threaded client of our own for the writes (each needs
the activity's current ETag), and the X-Queries count of one request. Used by bench.py."""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


ROTATE = ROOT / "benchmarks" / "rotate.lua"  # a new due_before per request: no statement remembered by URL


def wrk(url: str, headers: dict, seconds: int, connections: int,
        script: Path | None = None) -> tuple[float, float, float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return rps, p50, p99, errors


def request(connection: http.client.HTTPConnection, method: str, path: str, headers: dict,
            body: bytes | None = None) -> tuple[int, dict, bytes]:
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def queries_per_request(port: int, path: str, headers: dict, method: str = "GET", body: bytes | None = None) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    status, response_headers, content = request(connection, method, path, headers, body)
    if status >= 400:
        sys.exit(f"{method} {path} answered {status}: {content[:500]!r}")
    return int(response_headers.get("X-Queries", "-1"))


def run_writers(port: int, seconds: int, threads: int, make_request) -> tuple[float, float, float, int, int]:
    """Each thread repeats make_request(connection, index, step) -> (ok, elapsed seconds, queries) until time
    is up. Returns requests per second, p50 and p99 in ms, errors, and the most queries a request ran."""
    latencies: list[float] = []
    queries: list[int] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop(index: int) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        counted: list[int] = []
        bad = 0
        step = 0
        while time.monotonic() < deadline:
            ok, elapsed, ran = make_request(connection, index, step)
            step += 1
            mine.append(elapsed)
            counted.append(ran)
            bad += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            queries.extend(counted)
            errors += bad

    started = time.monotonic()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99, errors, max(queries, default=-1)
