"""Small template helpers for the web board."""

from __future__ import annotations

from django import template

from tracker import permissions
from tracker.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def user_role(context: template.Context) -> str:
    """The signed-in person's role label (Viewer, Editor, Coordinator), or "" for visitors."""
    request = context.get("request")
    role = permissions.role_of(getattr(request, "user", None))
    return str(Role(role).label) if role else ""


@register.filter
def percent_of(part: int, whole: int) -> int:
    return (100 * part) // whole if whole else 0
