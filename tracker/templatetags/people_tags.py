"""Template tags of people on the board (issue 13): comment text through tracker/richtext.py, the inbox's
wording through tracker/logtext.py."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tracker import logtext, permissions, richtext
from tracker.permissions import Actor

register = template.Library()


@register.simple_tag
def comment_html(comment: Any) -> SafeString:
    """The comment's sanitised HTML; its mentions are prefetched by the selector (no query here)."""
    return richtext.render(comment.body, [user.username for user in comment.mentions.all()])


@register.simple_tag
def revision_html(revision: Any) -> SafeString:
    return richtext.render(revision.body)


@register.simple_tag(takes_context=True)
def comment_editable(context: Any, comment: Any) -> bool:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    return permissions.can_edit_comment(Actor.for_user(request.user), comment)


@register.simple_tag
def notification_text(row: Any) -> str:
    return logtext.describe_notification(row.kind, row.params)
