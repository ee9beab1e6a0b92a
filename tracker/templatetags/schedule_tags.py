"""Wording of the schedule's derived values (issue 17), in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import schedule_graph as graph
from tracker.selectors.schedule import ActivitySchedule

register = template.Library()


def _span(days: int) -> str:
    if (days >= 14 and days % 7 == 0) or days >= 28:
        weeks = round(days / 7)
        return ngettext("%(n)s week", "%(n)s weeks", weeks) % {"n": weeks}
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@register.filter
def forecast_words(item: ActivitySchedule | None) -> str:
    """"forecast 14 Oct: 2 weeks late", "forecast 3 Sep: on time", "forecast: not enough data"."""
    if item is None or item.method == graph.CLOSED:
        return ""
    if item.method == graph.FINISHED:
        return ""
    if item.forecast is None:
        return _("forecast: not enough data")
    day = date_format(item.forecast, "SHORT_DATE_FORMAT")
    late = item.late_days or 0
    if late > 0:
        return _("forecast %(day)s: %(span)s late") % {"day": day, "span": _span(late)}
    if late < 0:
        return _("forecast %(day)s: %(span)s early") % {"day": day, "span": _span(-late)}
    return _("forecast %(day)s: on time") % {"day": day}


@register.filter
def waiting_words(reason: str) -> str:
    if reason == graph.LATE:
        return _("late")
    if reason == graph.FINISHES_AFTER:
        return _("due after this one")
    return _("due after this one starts")


@register.filter
def slipped_words(days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return ngettext("slipped %(n)s day since the baseline", "slipped %(n)s days since the baseline", days) % {
            "n": days}
    if days < 0:
        return ngettext("%(n)s day earlier than the baseline", "%(n)s days earlier than the baseline", -days) % {
            "n": -days}
    return _("as in the baseline")
