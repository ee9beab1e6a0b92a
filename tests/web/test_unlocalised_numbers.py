"""Numbers meant for the browser (SVG coordinates, CSS lengths, data attributes) are never localised.

In Russian Django writes 224.0 as "224,0"; the browser then drops the coordinate or the style, and the
burn-up chart and the timeline collapse to the left edge. Every page is checked in both languages, with the
clock after the presidency and inside it (when the "today" line is drawn).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from tracker.models import Activity
from tracker.web import common
from tracker.web.views import board

pytestmark = pytest.mark.django_db

NUMBER = r"-?\d+(?:\.\d+)?"
# Attributes whose value is only numbers (SVG geometry); `points` is "x,y x,y ...", so it is checked apart.
GEOMETRY = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "viewbox", "dx", "dy"}
DECIMAL_COMMA = re.compile(r"\d,\d")


class NumberCollector(HTMLParser):
    """Collects every attribute whose number the browser reads, with the tag it sits on."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.checked = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "points":
                self.checked += 1
                if not all(re.fullmatch(f"{NUMBER},{NUMBER}", pair) for pair in value.split()):
                    self.problems.append(f"<{tag} points={value!r}>")
            elif name == "style" or (name in GEOMETRY and tag in SVG_TAGS):
                self.checked += 1
                if DECIMAL_COMMA.search(value):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            elif name.startswith("data-") and DECIMAL_COMMA.search(value) and not value.startswith(("{", "[")):
                self.problems.append(f"<{tag} {name}={value!r}>")


SVG_TAGS = {"svg", "line", "text", "polyline", "rect", "circle", "path", "g", "tspan"}


def _pages(activity: Activity) -> list[str]:
    return ["/", "/board/", "/board/?priority=" + str(activity.priority_id), "/timeline/", "/timeline/?full=1",
            "/calendar/", "/calendar/?month=2023-06", "/reports/", "/reports/year/", f"/activities/{activity.pk}/"]


@pytest.fixture
def seeded_agenda():
    from tracker.seed import load_seed

    load_seed()
    return Activity.objects.filter(milestones__isnull=False).order_by("pk").first()


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("day", [None, dt.date(2023, 6, 15)], ids=["after-2023", "mid-june-2023"])
def test_no_page_writes_a_browser_number_with_a_decimal_comma(
    signed_in, coordinator, seeded_agenda, monkeypatch, language, day
):
    if day is not None:
        for module in (common, board):  # common: the day of the presidency screens
            monkeypatch.setattr(module, "today", lambda: day)
    client = signed_in(coordinator)
    client.cookies["django_language"] = language
    checked = 0
    for url in _pages(seeded_agenda):
        response = client.get(url)
        assert response.status_code == 200, url
        parser = NumberCollector()
        parser.feed(response.content.decode())
        assert parser.problems == [], f"{url} ({language}): {parser.problems[:5]}"
        checked += parser.checked
    assert checked > 100  # the chart, the bars and the progress fills were all there to check


def test_the_russian_burnup_chart_places_its_axes(signed_in, coordinator, seeded_agenda, monkeypatch):
    """What the reader saw: in Russian the gridlines and month labels sat at x=0 and read as one letter."""
    monkeypatch.setattr(common, "today", lambda: dt.date(2023, 6, 15))
    client = signed_in(coordinator)
    client.cookies["django_language"] = "ru"
    html = client.get("/").content.decode()
    months = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="start">([^<]+)</text>', html)
    labels = [label for _x, label in months]
    assert labels[:3] == ["Янв", "Фев", "Мар"] and "Июн" in labels and "Июл" in labels
    positions = [float(x) for x, _label in months]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert re.search(r'<line class="burnup__today" x1="[\d.]+"', html)


def test_the_russian_timeline_bars_keep_their_width(signed_in, coordinator, seeded_agenda):
    client = signed_in(coordinator)
    client.cookies["django_language"] = "ru"
    html = client.get("/timeline/").content.decode()
    widths = [float(w) for w in re.findall(r'class="timeline__bar[^"]*" style="left: [\d.]+%; width: ([\d.]+)%"', html)]
    assert widths and max(widths) > 50  # a year-long activity spans most of the track
