"""The tracker's one notion of "today". Every deadline, overdue list, roll-up and job asks here.

In the demo (DEBUG on) the setting DEMO_TODAY pins today to a day inside the presidency, so the seeded agenda
reads as a year in progress; anywhere else the setting is ignored and today is the local date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def demo_today() -> dt.date | None:
    """The pinned demo date, when one is set and the tracker runs as a demo."""
    day = getattr(settings, "DEMO_TODAY", None)
    return day if day and settings.DEBUG else None


def today() -> dt.date:
    return demo_today() or timezone.localdate()


def now() -> dt.datetime:
    """The time writes are stamped with: in the demo, the demo day at the current time of day, so that the
    log and the history read as written on that day; anywhere else, now."""
    current = timezone.now()
    day = demo_today()
    if day is None:
        return current
    local = timezone.localtime(current)
    return local.replace(year=day.year, month=day.month, day=day.day)


def demo_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the demo date, for the banner every page shows while it is in force."""
    return {"demo_today": demo_today()}
