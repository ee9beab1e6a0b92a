"""A timeline row (label, status, owner, forecast, bar, baseline, milestones), drawn in Python.

Like the board's cards (tracker/web/cards.py): the timeline draws 25 rows per priority afresh after every
write, and through nested includes a row cost about 150 variable lookups and several date formats (issue
18). `views/timeline._rows_context` puts on each row what is drawn here (`bar`, `marks`, `sched`,
`waiting`, `baseline_bar`, `forecast_at`). The forecast's words are the schedule's (`schedule_tags`); the
activity page draws its forecast line with `forecast_line` too (`schedule/forecast.html`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.templatetags.l10n import unlocalize
from django.utils import formats
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from tracker.templatetags.schedule_tags import forecast_words, waiting_words
from tracker.web.cards import date_basis_text, page_labels, short_date


@lru_cache(maxsize=4096)
def _long_day(language: str | None, day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def long_date(day: dt.date | None) -> str:
    """`{{ day|date:"DATE_FORMAT" }}` for a date."""
    return "" if day is None else _long_day(get_language(), day)


def forecast_line(item: Any, waiting: Iterable[dict]) -> SafeString:
    """An activity's forecast in words and what it waits on (`schedule/forecast.html`)."""
    parts = []
    words = forecast_words(item) if item else ""
    if words:
        late = " forecast--late" if (item.late_days or 0) > 0 else ""
        pushed = " forecast--pushed" if item.pushed else ""
        day = item.forecast.isoformat() if item.forecast else ""
        title = (f' title="{esc(gettext("Stalled: the slowest allowed pace is assumed"))}"'
                 if item.method == "stalled" else "")
        parts.append(f'<span class="forecast{late}{pushed}" data-forecast="{day}"{title}>{esc(words)}</span>')
    for wait in waiting:
        text = gettext("Waiting on %(title)s (%(reason)s)") % {
            "title": esc(wait["title"]), "reason": esc(waiting_words(wait["reason"]))}
        parts.append(f' <strong class="flag flag--waiting"><span aria-hidden="true">⇠</span> {text}</strong>')
    return mark_safe("".join(parts))


def _schedule(a: Any) -> str:
    """`schedule/timeline_meta.html`: the forecast and the slip since the baseline."""
    if not a.sched:
        return ""
    html = '<span class="timeline__schedule">' + forecast_line(a.sched, a.waiting)
    slipped = a.sched.slipped_days
    if slipped:
        html += (f' <span class="slip" title="{esc(gettext("Days the due date moved since the baseline"))}">'
                 + ngettext("+%(counter)s day since the baseline", "+%(counter)s days since the baseline",
                            slipped) % {"counter": esc(slipped)} + "</span>")
    return html + "</span>"


def _marks(a: Any) -> str:
    """`schedule/timeline_marks.html`: the latest baseline's shadow and the forecast finish."""
    html = ""
    if a.baseline_bar:
        start = f"{esc(short_date(a.sched.baseline_start))} – " if a.sched.baseline_start else ""
        html += (f'<span class="timeline__baseline" style="left: {unlocalize(a.baseline_bar.left)}%; '
                 f'width: {unlocalize(a.baseline_bar.width)}%" title="{esc(gettext("Baseline"))}: {start}'
                 f'{esc(short_date(a.sched.baseline_due))}" aria-hidden="true"></span>')
    if a.forecast_at is not None:
        late = " timeline__forecast--late" if (a.sched.late_days or 0) > 0 else ""
        html += (f'<span class="timeline__forecast{late}" style="left: {unlocalize(a.forecast_at)}%" '
                 f'title="{esc(gettext("Forecast finish"))}: {esc(short_date(a.sched.forecast))}" '
                 f'aria-hidden="true"></span>')
    return html


def _milestone(m: Any, at: float, words: dict[str, str]) -> str:
    title, basis = esc(m.display_title), esc(date_basis_text(m)) if m.date_basis else ""
    done = " (" + words["done"] + ")" if m.done else ""
    return (f'<span class="timeline__mark{" is-done" if m.done else ""}" style="left: {unlocalize(at)}%" '
            f'title="{title} · {esc(short_date(m.due_date))}{" · " + basis if basis else ""}">'
            f'<span class="sr-only">{words["Milestone"]}: {title}, {esc(long_date(m.due_date))}'
            f'{done}{". " + basis if basis else ""}</span></span>')


def timeline_row(a: Any, words: dict[str, str], activity_url: tuple[str, str]) -> str:
    pk, status = a.pk, esc(a.status)
    overdue = (f' <strong class="flag flag--overdue"><span aria-hidden="true">⚠</span> {words["Overdue"]}</strong>'
               if a.overdue else "")
    owner = f' <span class="muted timeline__owner">{esc(a.owner.get_username())}</span>' if a.owner_id else ""
    basis = esc(date_basis_text(a)) if a.date_basis else ""
    classes = (("timeline__bar--critical " if a.sched and a.sched.critical else "") + f"timeline__bar--{status}"
               + (" timeline__bar--overdue" if a.overdue else "")
               + (f" timeline__bar--basis-{esc(a.date_basis)}" if a.date_basis else ""))
    bar_title = f' title="{basis}"' if basis else ""
    start = f"{esc(long_date(a.start_date))} – " if a.start_date else ""
    done = gettext("%(value)s%% done") % {"value": esc(a.progress)}
    return (
        f'<li class="timeline__row" data-activity="{pk}">\n<div class="timeline__label-col">\n'
        f'<a href="{activity_url[0]}{pk}{activity_url[1]}">{esc(a.display_title)}</a>\n'
        f'<span class="timeline__meta"><span class="status status--{status}"><span class="status__dot" '
        f'aria-hidden="true"></span>{esc(a.get_status_display())}</span>\n{overdue}{owner}</span>\n'
        f"{_schedule(a)}\n</div>\n"
        f'<div class="timeline__track">\n{_marks(a)}\n'
        f'<span id="tl-bar-{pk}" class="timeline__bar {classes}" style="left: {unlocalize(a.bar.left)}%; '
        f'width: {unlocalize(a.bar.width)}%"{bar_title}>\n'
        f'<span class="sr-only">{start}{esc(long_date(a.due_date))}, {done}{". " + basis if basis else ""}</span>\n'
        f'<span class="timeline__progress" style="width: {unlocalize(a.progress)}%" aria-hidden="true"></span>\n'
        f"</span>\n{''.join(_milestone(m, at, words) for m, at in a.marks)}\n</div>\n</li>"
    )


def timeline_rows(rows: Iterable[Any]) -> SafeString:
    """A priority's drawn rows."""
    labels = page_labels()
    words = {**labels.words, "Milestone": esc(gettext("Milestone")), "done": esc(gettext("done"))}
    return mark_safe("\n".join(timeline_row(a, words, labels.activity_url) for a in rows))
