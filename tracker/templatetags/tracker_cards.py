"""The board card, the timeline row and their parts for templates: one drawing (tracker/web/cards.py,
tracker/web/rows.py) for every page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tracker.selectors.delivery import RatingView
from tracker.web import cards, rows

register = template.Library()


@register.simple_tag(takes_context=True)
def board_cards(context: template.Context, column_cards: list[Any]) -> SafeString:
    """A column's cards; `moved_id` and `card_message` come from the lane redrawn after a move."""
    return cards.board_cards(column_cards, moved_id=context.get("moved_id"),
                             card_message=context.get("card_message") or "")


@register.simple_tag
def due_line(activity: Any) -> SafeString:
    return cards.due_line(activity)


@register.simple_tag
def progress_bar(value: int) -> SafeString:
    return cards.progress_bar(value)


@register.simple_tag
def rating_badge(view: RatingView) -> SafeString:
    return cards.rating_badge(view)


@register.simple_tag
def timeline_rows(group_rows: list[Any]) -> SafeString:
    return rows.timeline_rows(group_rows)


@register.simple_tag
def forecast_line(item: Any, waiting: Any) -> SafeString:
    return rows.forecast_line(item, waiting or [])
