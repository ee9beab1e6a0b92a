"""Geometry for the server-drawn charts: the burn-up SVG and the timeline's bars. Pure functions of the
selectors' results, so the templates only place what is computed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats

from tracker.selectors import BurnupSeries


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BurnupChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    planned_points: str
    done_points: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    today_x: float | None
    scope: int
    planned_now: int
    done_now: int
    points: list

    @property
    def right(self) -> int:
        return self.left + self.plot_width

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height


def burnup_chart(series: BurnupSeries, *, width: int = 720, height: int = 260) -> BurnupChart:
    left, right, top, bottom = 44, 16, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max((series.end - series.start).days, 1)
    y_max = max(series.scope, max((p.planned for p in series.points), default=0), 1)

    def x(day: dt.date) -> float:
        return round(left + plot_w * (min(max(day, series.start), series.end) - series.start).days / span, 1)

    def y(value: int) -> float:
        return round(top + plot_h * (1 - value / y_max), 1)

    planned = " ".join(f"{x(p.day)},{y(p.planned)}" for p in series.points)
    done = " ".join(f"{x(p.day)},{y(p.done)}" for p in series.points if p.done is not None)
    months = []
    day = series.start.replace(day=1)
    while day <= series.end:
        if day >= series.start:
            months.append(Tick(position=x(day), label=formats.date_format(day, "M")))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    step = max(1, -(-y_max // 4))  # about four gridlines whatever the scope
    y_ticks = [Tick(position=y(v), label=formats.number_format(v)) for v in range(0, y_max + 1, step)]
    today_x = x(series.today) if series.start <= series.today <= series.end else None
    known = [p for p in series.points if p.done is not None]
    last = known[-1] if known else None
    return BurnupChart(
        width=width, height=height, left=left, top=top, plot_width=plot_w, plot_height=plot_h,
        planned_points=planned, done_points=done, x_ticks=months, y_ticks=y_ticks, today_x=today_x,
        scope=series.scope, planned_now=last.planned if last else 0, done_now=(last.done or 0) if last else 0,
        points=series.points,
    )


@dataclass(frozen=True)
class Span:
    left: float  # percent of the period
    width: float


class TimelineScale:
    """Maps dates of a period to percentages of the chart's width."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.days = (end - start).days + 1

    def at(self, day: dt.date) -> float:
        clamped = min(max(day, self.start), self.end + dt.timedelta(days=1))
        return round(100 * (clamped - self.start).days / self.days, 3)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def span(self, start: dt.date | None, end: dt.date) -> Span:
        begin = self.at(start or end)
        finish = self.at(end + dt.timedelta(days=1))
        return Span(left=begin, width=max(round(finish - begin, 3), 0.4))

    def months(self) -> list[tuple[dt.date, Span]]:
        result = []
        day = self.start.replace(day=1)
        while day <= self.end:
            following = (day + dt.timedelta(days=32)).replace(day=1)
            result.append((day, self.span(max(day, self.start), min(following - dt.timedelta(days=1), self.end))))
            day = following
        return result
