"""The iCalendar writer and the chart geometry: pure functions, tested on known inputs."""

from __future__ import annotations

import datetime as dt

from tracker.selectors import BurnupPoint, BurnupSeries
from tracker.web import ical
from tracker.web.charts import TimelineScale, burnup_chart

NOW = dt.datetime(2023, 6, 15, 12, 0, tzinfo=dt.UTC)


def test_icalendar_text_is_escaped_and_long_lines_are_folded():
    event = ical.Event(uid="a-1@x", day=dt.date(2023, 9, 30), summary="Exercises; phase 1, Brest\\Minsk",
                       description="Совместные учения " * 10)
    text = ical.calendar("Deadlines", [event], now=NOW)
    assert "SUMMARY:Exercises\\; phase 1\\, Brest\\\\Minsk\r\n" in text
    assert "DTSTAMP:20230615T120000Z" in text
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "Совместные учения " * 10 in unfolded


def test_the_timeline_scale_maps_the_year_to_percentages():
    scale = TimelineScale(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert scale.at(dt.date(2023, 1, 1)) == 0
    assert scale.at(dt.date(2024, 1, 1)) == 100
    assert scale.at(dt.date(2022, 6, 1)) == 0  # clamped to the period
    whole = scale.span(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert (whole.left, whole.width) == (0, 100)
    months = scale.months()
    assert len(months) == 12 and months[1][0] == dt.date(2023, 2, 1)
    assert round(sum(span.width for _, span in months), 1) == 100.0


def test_the_burn_up_chart_scales_both_lines_to_the_scope():
    series = BurnupSeries(
        start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), today=dt.date(2023, 7, 2), scope=4,
        points=[
            BurnupPoint(dt.date(2023, 1, 1), 0, 0),
            BurnupPoint(dt.date(2023, 7, 2), 2, 1),
            BurnupPoint(dt.date(2023, 12, 31), 4, None),
        ],
    )
    chart = burnup_chart(series, width=720, height=260)
    assert chart.planned_points.split()[0] == f"{chart.left}.0,{chart.bottom}.0"
    assert chart.planned_points.split()[-1] == f"{chart.right}.0,{chart.top}.0"
    assert len(chart.done_points.split()) == 2  # no done figure for the future
    assert (chart.planned_now, chart.done_now, chart.scope) == (2, 1, 4)
    assert chart.today_x is not None and chart.left < chart.today_x < chart.right
    assert [tick.label for tick in chart.y_ticks] == ["0", "1", "2", "3", "4"]
