#!/usr/bin/env python3
"""An example client of the Presidency Agenda Tracker's API, as another ministry's system would write it.

Needs only `requests`. It keeps a small state file with two bookmarks:

- `updated_since`: incremental sync of the activities (docs/api.md, "Incremental sync"): read everything
  changed since the last run started, less a minute, and upsert by id + version;
- `cursor`: the events feed (docs/api.md, "Events feed"): every event after the last one processed, in
  commit order, nothing missed and nothing doubled, e.g. after the receiver was down for two days.

It also shows how to verify a webhook request (`verify_tracker_webhook`, the same as in docs/api.md).

    python examples/tracker_client.py --url http://127.0.0.1:8000 --key pat_... --state state.json sync
    python examples/tracker_client.py --url ... --key ... --state state.json catch-up
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

OVERLAP = dt.timedelta(seconds=60)  # a write that started before our last sync may commit just after it


class Tracker:
    def __init__(self, url: str, key: str, *, timeout: float = 30) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {key}", "Accept": "application/json"})
        self.timeout = timeout

    def get(self, path_or_url: str, params: dict | None = None) -> requests.Response:
        url = path_or_url if path_or_url.startswith("http") else f"{self.url}{path_or_url}"
        for attempt in range(5):
            response = self.session.get(url, params=params, timeout=self.timeout)
            if response.status_code == 429:  # throttled: wait as told
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 500 and attempt < 4:
                time.sleep(2**attempt)
                continue
            return response
        return response

    # --- Incremental sync -------------------------------------------------------------------------------

    def activities_changed_since(self, since: dt.datetime | None) -> Iterator[dict]:
        params = {"ordering": "updated", "page_size": "200"}
        if since is not None:
            params["updated_since"] = (since - OVERLAP).isoformat()
        url: str | None = "/api/v1/activities/"
        while url:
            response = self.get(url, params)
            response.raise_for_status()
            page = response.json()
            yield from page["results"]
            url, params = page.get("next"), None  # `next` carries the parameters and the cursor

    # --- Catch-up through the events feed ---------------------------------------------------------------

    def events_after(self, cursor: str) -> Iterator[tuple[str, dict]]:
        """(cursor, event) pairs after `cursor`, oldest first, until the feed's end."""
        while True:
            response = self.get("/api/v1/events/", {"after": cursor, "limit": "500"})
            if response.status_code == 410:
                raise EventsPurged(response.json().get("detail", ""))
            response.raise_for_status()
            page = response.json()
            for item in page["events"]:
                yield item["cursor"], item["event"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return


class EventsPurged(Exception):
    """The bookmark is older than the tracker keeps events: run a full sync, then continue from the end."""


# --- Webhook verification (docs/api.md, "Verifying a request") ------------------------------------------

def verify_tracker_webhook(secret, headers: dict, body: bytes, tolerance_seconds: int = 300) -> bool:
    """True if the request was signed with `secret` (or, during a rotation, any of a list of secrets)
    within the last `tolerance_seconds`."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get("x-tracker-timestamp", "")
    signatures = [part.strip() for part in lowered.get("x-tracker-signature", "").split(",")]
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False
    for candidate in secrets:
        expected = hmac.new(candidate.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(signature, f"sha256={expected}") for signature in signatures):
            return True
    return False


# --- The local copy -------------------------------------------------------------------------------------

class State:
    """The bookmarks and the local copy: activities by id (with their version) and the events seen."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = json.loads(path.read_text()) if path.exists() else {}
        self.updated_since: str | None = data.get("updated_since")
        self.cursor: str = data.get("cursor", "0")
        self.activities: dict[str, dict] = data.get("activities", {})
        self.events: list[str] = data.get("events", [])

    def save(self) -> None:
        data = {"updated_since": self.updated_since, "cursor": self.cursor, "activities": self.activities,
                "events": self.events}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1))
        temporary.replace(self.path)  # a crash leaves the old state, never half a new one


def sync(tracker: Tracker, state: State) -> int:
    started = dt.datetime.now(dt.UTC)
    since = dt.datetime.fromisoformat(state.updated_since) if state.updated_since else None
    changed = 0
    for activity in tracker.activities_changed_since(since):
        known = state.activities.get(str(activity["id"]))
        if known is not None and known["version"] >= activity["version"]:
            continue  # the overlap's repeats
        state.activities[str(activity["id"])] = {"version": activity["version"], "title": activity["title"],
                                                 "status": activity["status"], "codes": activity.get("codes")}
        changed += 1
    state.updated_since = started.isoformat()
    state.save()
    return changed


def catch_up(tracker: Tracker, state: State) -> int:
    seen = set(state.events)
    count = 0
    for cursor, event in tracker.events_after(state.cursor):
        if event["id"] not in seen:  # a webhook may have brought it already
            seen.add(event["id"])
            state.events.append(event["id"])
            if event["type"] == "activity.deleted" and event.get("activity"):
                state.activities.pop(str(event["activity"]["id"]), None)
            count += 1
        state.cursor = cursor
        state.save()  # after each event: a crash resumes right after the last one processed
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--state", required=True, type=Path)
    parser.add_argument("command", choices=["sync", "catch-up"])
    options = parser.parse_args(argv)
    tracker, state = Tracker(options.url, options.key), State(options.state)
    if options.command == "sync":
        print(json.dumps({"changed": sync(tracker, state), "updated_since": state.updated_since}))
    else:
        try:
            print(json.dumps({"new_events": catch_up(tracker, state), "cursor": state.cursor}))
        except EventsPurged as exc:
            print(json.dumps({"error": "events_purged", "detail": str(exc)}))
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
