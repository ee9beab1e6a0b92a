"""A board card and its parts (deadline line, owner, progress bar, rating badge), drawn in Python.

The board draws up to 12 cards in each of a presidency's 24–30 columns, afresh after every write (the page
cache is keyed by the agenda's generation). Drawn through four nested template includes a card cost about
100 variable lookups and several URL reversals, which made a cold board take a second (issue 18). Here a
card is a few string joins: the labels are translated once per page (`Labels`), the card's URLs reversed
once per page and filled in with its id, and every value escaped as the template engine would.

This module is the one place these parts are drawn: the board's lanes (`{% board_cards %}`) and the partial
templates `partials/due.html`, `partials/progress.html` and `delivery/rating_badge.html` call these functions
through `tracker/templatetags/tracker_cards.py`, so the dashboard, the activity page and the board agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property, lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils import formats
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext

from tracker.selectors.delivery import RatingView

_ID = 2_147_483_000  # stands for the card's id in a URL reversed once per page


def short_date(value: dt.date | dt.datetime | None) -> str:
    """`{{ value|date:"SHORT_DATE_FORMAT" }}`: in the active language, datetimes in the local zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return formats.date_format(template_localtime(value), "SHORT_DATE_FORMAT")
    return _short_day(get_language(), value)


@lru_cache(maxsize=4096)
def _short_day(language: str | None, day: dt.date) -> str:
    """A day's short form in a language: a card's costliest part, and the same few hundred days recur."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def date_basis_text(item: Any) -> str:
    """What a date rests on, as plain text (as `partials/date_basis_text.html`), not yet escaped."""
    text = str(item.get_date_basis_display())
    if item.date_basis == "decision" and item.date_confirmed_at:
        text += f": {item.date_confirmed_by}, {short_date(item.date_confirmed_at)}"
    note = item.display_date_basis_note
    return f"{text}. {note}" if note else text


class Labels:
    """A page's translated words and reversed URLs, looked up once, not once per card."""

    @cached_property
    def words(self) -> dict[str, str]:
        keys = ("Due", "assumed", "Overdue", "due today", "Responsible body:", "Lead:", "Owner:",
                "Delivery confidence:", "Move")
        return {key: esc(gettext(key)) for key in keys}

    @cached_property
    def activity_url(self) -> tuple[str, str]:
        return tuple(reverse("web:activity", args=[_ID]).split(str(_ID)))  # type: ignore[return-value]

    @cached_property
    def move_url(self) -> tuple[str, str]:
        return tuple(reverse("web:activity-move", args=[_ID]).split(str(_ID)))  # type: ignore[return-value]


def due_line(activity: Any, labels: Labels | None = None) -> SafeString:
    """The deadline line: date, an assumed date's basis, and the overdue or due-soon flag."""
    words = (labels or page_labels()).words
    overdue, due_soon = activity.overdue, activity.due_soon
    due = activity.due_date
    parts = [
        '<p class="due', " due--overdue" if overdue else " due--soon" if due_soon else "", '">\n',
        '  <span class="due__label">', words["Due"], "</span>\n",
        '  <time datetime="', due.isoformat() if due else "", '">', esc(short_date(due)), "</time>\n  ",
    ]
    if activity.date_basis == "assumption":
        parts += ['<span class="due__basis" title="', esc(date_basis_text(activity)), '">(', words["assumed"],
                  ")</span>"]
    parts.append("\n  ")
    if overdue:
        parts += ['<strong class="flag flag--overdue"><span aria-hidden="true">⚠</span> ', words["Overdue"]]
        if activity.days_late:
            parts += [" · ", _counted("%(counter)s day late", "%(counter)s days late", activity.days_late)]
        parts.append("</strong>")
    elif due_soon:
        parts.append('<strong class="flag flag--soon"><span aria-hidden="true">◷</span> ')
        days = activity.days_remaining
        parts.append(words["due today"] if days == 0 else
                     _counted("due in %(counter)s day", "due in %(counter)s days", days))
        parts.append("</strong>")
    parts.append("\n</p>")
    return mark_safe("".join(parts))


def _counted(singular: str, plural: str, counter: int) -> str:
    """`{% blocktranslate count counter=... %}`: the translation as is, the number escaped into it."""
    return _plural(get_language(), singular, plural, counter) % {"counter": esc(counter)}


@lru_cache(maxsize=2048)
def _plural(language: str | None, singular: str, plural: str, counter: int) -> str:
    """A translation looked up once per language and number, not once per card."""
    return ngettext(singular, plural, counter)


@lru_cache(maxsize=64)
def _translated(language: str | None, text: str) -> str:
    return gettext(text)


def owner_line(activity: Any, labels: Labels | None = None) -> SafeString:
    if not activity.owner_id:
        return mark_safe("")
    name = esc(activity.owner.get_username())
    return mark_safe(f'<p class="card__meta card__owner" data-owner="{name}"><span class="muted">'
                     f'{(labels or page_labels()).words["Owner:"]}</span> {name}</p>')


def progress_bar(value: int) -> SafeString:
    text = _translated(get_language(), "%(value)s%% done") % {"value": esc(value)}
    return mark_safe(f'<div class="progress">\n  <span class="progress__text">{text}</span>\n'
                     f'  <span class="progress__bar" aria-hidden="true"><span class="progress__fill" '
                     f'style="width: {esc(value)}%"></span></span>\n</div>')


def rating_badge(view: RatingView) -> SafeString:
    """A rating: shape, words and trend arrow, so colour is never the only signal."""
    rating, trend = esc(view.rating), esc(view.trend)
    html = (f'<span class="rating rating--{rating}" data-rating="{rating}" data-trend="{trend}" '
            f'title="{esc(view.current.definition)}"><span class="rating__shape" aria-hidden="true">'
            f'{esc(view.shape)}</span> {esc(view.label)} <span class="rating__trend" aria-hidden="true">'
            f'{esc(view.trend_arrow)}</span><span class="sr-only"> ({esc(view.trend_label)})</span></span>')
    if view.disagreements:
        html += (' <span class="rating-disagrees" role="note">⚠ '
                 + "; ".join(str(esc(text)) for text in view.disagreements) + "</span>")
    return mark_safe(html)


def board_card(card: Any, labels: Labels, *, moved_id: int | None = None, card_message: str = "") -> str:
    """One card of the board (already escaped): everything `board_columns` and the board view's
    `_decorate` put on it (dates, owner, rating, whether this person may move it, and where to)."""
    words, pk, status = labels.words, card.pk, esc(card.status)
    title = esc(card.display_title)
    flag = " card--overdue" if card.overdue else " card--due-soon" if card.due_soon else ""
    parts = [
        f'<article class="card card--{status}{flag}{" card--moved" if pk == moved_id else ""}"\n'
        f'  id="card-{pk}" data-id="{pk}" data-version="{card.version}" data-status="{status}" '
        f'data-lane="{card.priority_id}"\n  ',
    ]
    if card.can_edit:
        move = labels.move_url
        parts.append(f'draggable="true" data-move-url="{move[0]}{pk}{move[1]}" data-targets="{esc(card.targets)}"')
    url = labels.activity_url
    parts += [
        f'\n  aria-labelledby="card-{pk}-title">\n'
        f'  <h4 class="card__title" id="card-{pk}-title"><a href="{url[0]}{pk}{url[1]}">{title}</a></h4>\n  ',
        due_line(card, labels),
        f'\n  <p class="card__meta"><span class="sr-only">{words["Responsible body:"]} </span>'
        f'{esc(card.responsible_body.display_name)}</p>\n  ',
    ]
    if card.lead_state_id:
        parts.append(f'<p class="card__meta"><span class="muted">{words["Lead:"]}</span> '
                     f'{esc(card.lead_state.display_name)}</p>')
    parts += ["\n  ", owner_line(card, labels), "\n  ", progress_bar(card.progress), "\n  "]
    confidence = getattr(card, "confidence", None)
    if confidence:
        parts += ['<p class="card__meta card__rating"><span class="sr-only">', words["Delivery confidence:"],
                  " </span>", rating_badge(confidence), "</p>"]
    parts.append("\n  ")
    if card_message and pk == moved_id:
        parts.append(f'<p class="card__refusal" role="alert">{esc(card_message)}</p>')
    parts.append("\n  ")
    if card.can_edit:
        parts.append(f'\n  <button type="button" class="card__move button button--small button--quiet" '
                     f'aria-haspopup="menu" aria-expanded="false" data-move-for="{pk}">{words["Move"]}'
                     f'<span class="sr-only"> “{title}”</span> <span aria-hidden="true">▾</span></button>\n  ')
    parts.append("\n</article>")
    return "".join(parts)


_LABELS: dict[tuple[str, str], Labels] = {}


def page_labels() -> Labels:
    """The active language's labels (and this script prefix's URLs), kept for the life of the process."""
    key = (get_language() or "", get_script_prefix())
    if key not in _LABELS:
        _LABELS[key] = Labels()
    return _LABELS[key]


def board_cards(cards: Iterable[Any], *, moved_id: int | None = None, card_message: str = "") -> SafeString:
    """A column's cards as list items."""
    labels_ = page_labels()
    return mark_safe("".join(
        f"<li>{board_card(card, labels_, moved_id=moved_id, card_message=card_message)}</li>" for card in cards
    ))
