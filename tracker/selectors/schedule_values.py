"""The schedule as values (what `selectors/schedule.compute_schedule` returns and the cache keeps), and how
they are pickled: as columns of plain values, its activities made into objects only as they are read (a
stale timeline reads the cached schedule on every render; issue 18)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language

from tracker import schedule_graph as graph


@dataclass
class ActivitySchedule:
    id: int
    priority_id: int
    due: dt.date
    start: dt.date | None
    method: str  # schedule_graph.PACE, STALLED, NO_DATA, FINISHED, CLOSED
    forecast: dt.date | None  # the shown forecast: own pace, pushed by predecessors; None: not enough data
    pushed: bool = False
    rate: float | None = None
    waiting: list[tuple[int, str]] = field(default_factory=list)  # (predecessor node, reason)
    critical: bool = False
    baseline_start: dt.date | None = None
    baseline_due: dt.date | None = None

    @property
    def late_days(self) -> int | None:
        """Days the forecast lies past the due date (negative: early); None without a forecast."""
        if self.forecast is None or self.method in (graph.FINISHED, graph.CLOSED):
            return None
        return (self.forecast - self.due).days

    @property
    def slipped_days(self) -> int | None:
        """Days the due date moved since the latest baseline; None when the baseline did not hold it."""
        return None if self.baseline_due is None else (self.due - self.baseline_due).days


@dataclass
class PrioritySchedule:
    priority_id: int
    latest_finish: dt.date | None = None
    forecast_late: int = 0
    no_data: int = 0
    chain: list[int] = field(default_factory=list)


@dataclass
class LinkRow:
    id: int
    predecessor: int
    successor: int
    kind: str
    milestone: int | None


@dataclass
class AgendaSchedule:
    activities: Mapping[int, ActivitySchedule]  # a dict when computed; columns read lazily when cached
    priorities: dict[int, PrioritySchedule]
    links: list[LinkRow]
    titles: Mapping[int, tuple[str, str]]  # node (activity id, or minus a milestone's) -> (title, title_ru)
    baseline: tuple[int, int] | None = None  # (id, number) of the latest baseline

    def title(self, node: int) -> str:
        return localised(self.titles.get(node, ("", "")))

    def links_of(self, activity_id: int) -> tuple[list[LinkRow], list[LinkRow]]:
        """(links it waits on, links waiting on it)."""
        before = [link for link in self.links if link.successor == activity_id]
        after = [link for link in self.links if link.predecessor == activity_id]
        return before, after

    def __reduce__(self) -> tuple:
        # Cached as columns of plain values (ids, day numbers, strings), not 8,400 objects with five dates
        # each: a fifth of the bytes, and read back in milliseconds instead of about 0.1 s, most of it the
        # garbage collector walking the new objects (issue 18; a stale timeline reads it on every render).
        links = tuple(zip(*((link.id, link.predecessor, link.successor, link.kind, link.milestone)
                            for link in self.links), strict=True)) or ((), (), (), (), ())
        return (_unpack, (_ActivityColumns.pack(self.activities), self.priorities, links,
                          _TitleColumns.pack(self.titles), self.baseline))


def localised(titles: tuple[str, str]) -> str:
    """(title, title_ru) in the reader's language: Russian when there is one and Russian is active."""
    english, russian = titles
    return russian if russian and (get_language() or "").startswith("ru") else english


def _unpack(activities: tuple, priorities: dict, links: tuple, titles: tuple,
            baseline: tuple[int, int] | None) -> AgendaSchedule:
    return AgendaSchedule(activities=_ActivityColumns(activities), priorities=priorities,
                          links=[LinkRow(*row) for row in zip(*links, strict=True)], titles=_TitleColumns(titles),
                          baseline=baseline)


def _day(number: int) -> dt.date | None:
    return dt.date.fromordinal(number) if number else None


def _number(day: dt.date | None) -> int:
    return day.toordinal() if day else 0


class _ActivityColumns(Mapping[int, ActivitySchedule]):
    """A cached schedule's activities, made into ActivitySchedule one by one as they are read (a timeline
    reads a hundred of the presidency's thousands)."""

    def __init__(self, columns: tuple) -> None:
        self.columns = columns
        self._index = {pk: i for i, pk in enumerate(columns[0])}
        self._made: dict[int, ActivitySchedule] = {}

    @staticmethod
    def pack(activities: Mapping[int, ActivitySchedule]) -> tuple:
        if isinstance(activities, _ActivityColumns):
            return activities.columns
        items = list(activities.values())
        return (
            [a.id for a in items], [a.priority_id for a in items],
            [_number(a.due) for a in items], [_number(a.start) for a in items], [a.method for a in items],
            [_number(a.forecast) for a in items], [a.rate for a in items],
            {a.id: a.waiting for a in items if a.waiting}, {a.id for a in items if a.pushed},
            {a.id for a in items if a.critical},
            [_number(a.baseline_start) for a in items], [_number(a.baseline_due) for a in items],
        )

    def __getitem__(self, pk: int) -> ActivitySchedule:
        made = self._made.get(pk)
        if made is None:
            i = self._index[pk]
            (_ids, priority, due, start, method, forecast, rate, waiting, pushed, critical, base_start,
             base_due) = self.columns
            made = self._made[pk] = ActivitySchedule(
                id=pk, priority_id=priority[i], due=_day(due[i]), start=_day(start[i]),
                method=method[i], forecast=_day(forecast[i]), pushed=pk in pushed, rate=rate[i],
                waiting=list(waiting.get(pk, ())), critical=pk in critical, baseline_start=_day(base_start[i]),
                baseline_due=_day(base_due[i]),
            )
        return made

    def __contains__(self, pk: object) -> bool:
        return pk in self._index

    def __iter__(self) -> Iterator[int]:
        return iter(self.columns[0])

    def __len__(self) -> int:
        return len(self.columns[0])


class _TitleColumns(Mapping[int, tuple[str, str]]):
    """A cached schedule's titles (node -> (title, title_ru)), kept as three columns."""

    def __init__(self, columns: tuple) -> None:
        self.columns = columns
        self._index = {node: i for i, node in enumerate(columns[0])}

    @staticmethod
    def pack(titles: Mapping[int, tuple[str, str]]) -> tuple:
        if isinstance(titles, _TitleColumns):
            return titles.columns
        return list(titles), [pair[0] for pair in titles.values()], [pair[1] for pair in titles.values()]

    def __getitem__(self, node: int) -> tuple[str, str]:
        i = self._index[node]
        return self.columns[1][i], self.columns[2][i]

    def __contains__(self, node: object) -> bool:
        return node in self._index

    def __iter__(self) -> Iterator[int]:
        return iter(self.columns[0])

    def __len__(self) -> int:
        return len(self.columns[0])
