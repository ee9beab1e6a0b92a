"""The schedule's pure rules: cycles (with the path named), forecasts from pace, propagation along links,
waiting flags and the critical chain. No database and no Django here: plain values in, plain values out,
so the rules are unit-tested on constructed histories and run over 10,000 activities in memory.

Nodes are ints: an activity's id, or minus a milestone's id (a milestone can be a predecessor).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FINISH_TO_START = "fs"
FINISH_TO_FINISH = "ff"
BLOCKS = "blocks"
KINDS = (FINISH_TO_START, FINISH_TO_FINISH, BLOCKS)

# Why a successor waits (worded by tracker/logtext.py-style code in the templates and services).
DUE_AFTER_START = "due_after_start"  # the predecessor's due date is on or after the successor's start
FINISHES_AFTER = "finishes_after"  # finish-to-finish: the predecessor is due after the successor
LATE = "late"  # the predecessor is past its due date and not finished


@dataclass(frozen=True)
class Link:
    predecessor: int
    successor: int
    kind: str = FINISH_TO_START


def find_path(edges: Mapping[int, Iterable[int]], start: int, goal: int) -> list[int] | None:
    """A shortest path start -> ... -> goal along `edges` (breadth first), or None."""
    if start == goal:
        return [start]
    came_from: dict[int, int] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in edges.get(node, ()):
            if nxt in came_from:
                continue
            came_from[nxt] = node
            if nxt == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            queue.append(nxt)
    return None


def cycle_if_added(links: Iterable[Link], predecessor: int, successor: int) -> list[int] | None:
    """The cycle a new link predecessor -> successor would close, as a path that starts and ends with the
    predecessor (e.g. [A, B, C, A]); None when the link is safe. A link to itself is the cycle [A, A]."""
    if predecessor == successor:
        return [predecessor, predecessor]
    edges: dict[int, list[int]] = defaultdict(list)
    for link in links:
        edges[link.predecessor].append(link.successor)
    back = find_path(edges, successor, predecessor)
    return None if back is None else [predecessor, *back]


def topological_order(nodes: Iterable[int], links: Sequence[Link]) -> list[int]:
    """Nodes in an order where every predecessor comes before its successors (Kahn). Nodes caught in a cycle
    (the database refuses them, but data can be imported) come last, in id order, so reads never fail."""
    indegree: dict[int, int] = {node: 0 for node in nodes}
    edges: dict[int, list[int]] = defaultdict(list)
    for link in links:
        if link.predecessor in indegree and link.successor in indegree:
            edges[link.predecessor].append(link.successor)
            indegree[link.successor] += 1
    queue = deque(sorted(node for node, degree in indegree.items() if degree == 0))
    order: list[int] = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in edges[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                queue.append(nxt)
    if len(order) < len(indegree):
        seen = set(order)
        order.extend(sorted(node for node in indegree if node not in seen))
    return order


# --- Forecast from pace ------------------------------------------------------------------------------------

NO_DATA = "no_data"  # no progress yet: never a made-up date
PACE = "pace"  # the rate over the last N updates
STALLED = "stalled"  # the rate fell under the floor: the floor is used
FINISHED = "finished"  # done: the completion date
CLOSED = "closed"  # cancelled or handed over: no forecast


@dataclass(frozen=True)
class Pace:
    method: str
    finish: dt.date | None = None
    rate: float | None = None  # percentage points a day


def pace_forecast(
    *,
    progress: int,
    history: Sequence[tuple[dt.date, int]],
    today: dt.date,
    start: dt.date | None = None,
    done_on: dt.date | None = None,
    closed: bool = False,
    window: int = 5,
    floor: float = 0.25,
) -> Pace:
    """When the activity finishes at its current pace.

    `history` holds the progress each update set, (day, percent), oldest first. The rate is the progress
    gained from the oldest of the last `window` updates up to today, divided by the days since that update:
    measured to today, so a pause slows it. With a single update, the start date (at 0%) is the other end.
    A rate under `floor` points a day is raised to the floor (stalled work still gets a date, a distant one).
    No progress at all: NO_DATA, never a date."""
    if done_on is not None:
        return Pace(FINISHED, done_on)
    if closed:
        return Pace(CLOSED)
    if progress <= 0 or not history:
        return Pace(NO_DATA)
    if progress >= 100:
        return Pace(PACE, today, None)
    points = list(history[-window:])
    first_day, first_progress = points[0]
    if len(points) == 1:
        # One update: its progress was gained since the start (the caller passes the presidency's start
        # for an activity without one).
        first_day, first_progress = (start, 0) if start is not None and start < first_day else (first_day, 0)
    days = max((today - first_day).days, 1)
    rate = (progress - first_progress) / days
    method = PACE
    if rate < floor:
        rate, method = floor, STALLED
    return Pace(method, today + dt.timedelta(days=math.ceil((100 - progress) / rate)), round(rate, 3))


# --- Propagation, waiting flags and the critical chain -------------------------------------------------------

@dataclass(frozen=True)
class Node:
    id: int
    due: dt.date
    start: dt.date | None = None
    forecast: dt.date | None = None  # the node's own pace forecast (None: not enough data)
    closed: bool = False
    done_on: dt.date | None = None
    group: int | None = None  # the priority, for the critical chain


@dataclass
class Projection:
    finish: dt.date  # the finish used downstream: own forecast (or the plan) pushed by predecessors
    pushed: bool = False  # a predecessor moved it past its own forecast or plan
    driver: int | None = None  # the predecessor whose finish decides this one's, along FS/FF links
    waiting: list[tuple[int, str]] = field(default_factory=list)  # (predecessor, reason)


def propagate(nodes: Mapping[int, Node], links: Sequence[Link], *, today: dt.date) -> dict[int, Projection]:
    """Each node's projected finish: its own forecast (or its plan without one), no earlier than a
    finish-to-start predecessor's finish plus its own duration, or a finish-to-finish predecessor's finish.
    `blocks` links carry no dates; every kind can flag the successor as waiting. Never changes a plan."""
    preds: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        if link.predecessor in nodes and link.successor in nodes:
            preds[link.successor].append(link)
    result: dict[int, Projection] = {}
    for node_id in topological_order(nodes.keys(), links):
        node = nodes[node_id]
        base = node.done_on or node.forecast or node.due
        projection = Projection(finish=base)
        best: tuple[dt.date, int] | None = None
        for link in preds.get(node_id, ()):
            pred = nodes[link.predecessor]
            pred_finish = result[link.predecessor].finish if link.predecessor in result else pred.due
            reason = _waiting_reason(pred, node, link.kind, today)
            if reason and not node.closed:
                projection.waiting.append((pred.id, reason))
            if node.done_on is not None or node.closed or link.kind == BLOCKS:
                continue
            if link.kind == FINISH_TO_START:
                duration = (node.due - node.start).days if node.start else 0
                candidate = pred_finish + dt.timedelta(days=1 + duration)
            else:
                candidate = pred_finish
            if best is None or candidate > best[0]:
                best = (candidate, pred.id)
        if best is not None:
            projection.driver = best[1]
            if best[0] > base:
                projection.finish, projection.pushed = best[0], True
        result[node_id] = projection
    return result


def _waiting_reason(pred: Node, succ: Node, kind: str, today: dt.date) -> str | None:
    if pred.closed or pred.done_on is not None:
        return None
    if pred.due < today:
        return LATE
    if kind == FINISH_TO_FINISH:
        return FINISHES_AFTER if pred.due > succ.due else None
    succ_start = succ.start or succ.due
    return DUE_AFTER_START if pred.due >= succ_start else None


def critical_chain(nodes: Mapping[int, Node], projections: Mapping[int, Projection], group: int) -> list[int]:
    """The chain of dependent activities deciding the group's latest projected finish, first to last: from
    the open node that finishes last, back through each one's driving predecessor."""
    members = [n for n in nodes.values() if n.group == group and n.id > 0 and not n.closed and n.done_on is None]
    if not members:
        return []
    last = max(members, key=lambda n: (projections[n.id].finish, -n.id))
    chain = [last.id]
    seen = {last.id}
    driver = projections[last.id].driver
    while driver is not None and driver not in seen:
        chain.append(driver)
        seen.add(driver)
        driver = projections[driver].driver if driver in projections else None
    return chain[::-1]
