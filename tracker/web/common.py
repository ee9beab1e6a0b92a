"""What every web view shares: the caller as an Actor, today's date, the presidency on screen, login for
htmx requests, and the translation of domain errors into HTTP answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from tracker import clock, selectors
from tracker.errors import DomainError, InvalidInput, NotPermitted, StaleVersion, TooLarge, TransitionNotAllowed
from tracker.models import Channel, Presidency
from tracker.permissions import Actor


def actor_for(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, Channel.WEB)


def today() -> dt.date:
    return clock.today()


def presidency_on_screen(day: dt.date) -> Presidency | None:
    """The presidency the person chose in the header (tracker/presidency_choice.py), else the current one."""
    from tracker import presidency_choice

    chosen = presidency_choice.chosen_id()
    if chosen is not None:
        found = Presidency.objects.select_related("chair_state").filter(pk=chosen).first()
        if found is not None:
            return found
    return selectors.current_presidency(day)


def for_presidency(page: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A screen of the presidency on screen today: the view gets `presidency` and `day`; when there is none
    yet, the page says the agenda is empty instead."""
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            day = today()
            presidency = presidency_on_screen(day)
            if presidency is None:
                return render(request, "tracker/empty.html", {"page": page})
            return view(request, *args, presidency=presidency, day=day, **kwargs)
        return wrapper
    return decorate


def web_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required that also works for htmx: a fragment request from an expired session sends the whole
    page to the login form instead of swapping the login page into a card."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            from tracker import permissions

            if permissions.role_of(request.user) is None:  # a limited access that has run out
                return render(request, "tracker/forbidden.html", {
                    "message": _("Your access to the agenda has ended. Ask a coordinator to extend it."),
                    "back": resolve_url(settings.LOGIN_URL)}, status=403)
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            page = request.htmx.current_url_abs_path or request.get_full_path()
            login = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(redirect_to_login(page, login)["Location"])
        return redirect_to_login(request.get_full_path())

    return wrapper


def status_for(error: DomainError) -> int:
    """The HTTP status a refused write answers with on the web board."""
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, TooLarge):
        return 413
    if isinstance(error, StaleVersion | TransitionNotAllowed):
        return 409
    if isinstance(error, InvalidInput):
        return 400
    return 400


def safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """Where to send the browser after a plain (non-htmx) form post: `candidate` if it is on this site."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def edit_refusal(request: HttpRequest, activity) -> NotPermitted | None:
    """The refusal a person meets when they may not change `activity` (checked before reading their input,
    so that a read-only person is always answered 403), else None. The services check it again."""
    from tracker import permissions

    try:
        permissions.ensure_can_edit_activity(actor_for(request), activity)
    except NotPermitted as refusal:
        return refusal
    return None


@dataclass(frozen=True)
class WriteOutcome:
    status: int  # 200, or the 4xx the person is answered with
    refused: bool = False  # they may not change this activity at all (checked before their input)
    message: str = ""  # why nothing was written, for the person; "" when the write went through


def attempt_write(
    request: HttpRequest, activity: Any, form: Any, unreadable: str, write: Callable[[dict[str, Any]], object]
) -> WriteOutcome:
    """The web's one way through a small write form: who may write is checked first (403), an unreadable
    form is 400, and a refusal from the services becomes its own 4xx; none of them raises."""
    refusal = edit_refusal(request, activity)
    if refusal:
        return WriteOutcome(403, refused=True, message=refusal.message)
    if not form.is_valid():
        return WriteOutcome(400, message=str(unreadable))
    try:
        write(form.cleaned_data)
    except DomainError as error:
        return WriteOutcome(status_for(error), message=error.message)
    return WriteOutcome(200)
