"""The presidency a person has chosen to look at (the header's switcher), kept in their session.

Middleware notes the request; `chosen_id()` reads the session only when a page asks which presidency is on
screen, so API calls and static files never load a session for it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

SESSION_KEY = "presidency_id"
_request: ContextVar[HttpRequest | None] = ContextVar("presidency_choice_request", default=None)


class PresidencyChoiceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def chosen_id() -> int | None:
    """The id a signed-in person chose for this session, else None."""
    request = _request.get()
    if request is None or not hasattr(request, "session") or not hasattr(request, "user"):
        return None
    # Only where the page has signed the person in already: a feed fetched by a calendar program (no
    # sign-in) shows the current presidency and costs no session or user query for this.
    if getattr(request.user, "_wrapped", None) is empty or not request.user.is_authenticated:
        return None
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


def choose(request: HttpRequest, presidency_id: int | None) -> None:
    if presidency_id is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = presidency_id
