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


@register.simple_tag
def demo_accounts() -> list[dict[str, str]]:
    """The demo accounts of `make run` for the login page, only in development (DEBUG): the same list
    create_demo_users makes, so the page never names an account that does not exist in production."""
    from django.conf import settings

    if not settings.DEBUG:
        return []
    from tracker.management.commands.create_demo_users import DEMO_USERS

    return [{"username": username, "password": password, "role": str(Role(role).label)}
            for username, password, role, _body, _staff in DEMO_USERS]
