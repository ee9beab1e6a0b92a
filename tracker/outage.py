"""The database is down or restarting: answer 503 with Retry-After, never a 500.

PostgreSQL restarts (an upgrade, a fail-over, a crash) make requests in flight fail with OperationalError
or InterfaceError. That is not a bug of ours and the caller can do something about it: wait and retry.
So every such error, wherever in the request it happens, is answered with 503 Service Unavailable and a
Retry-After header: problem details under /api/, a small page elsewhere. Nothing half-written survives
because every write runs in one transaction (tracker/services.py), which PostgreSQL rolls back.

Two hooks, one answer:
- DatabaseOutageMiddleware.process_exception catches errors raised by views (before the API's generic
  500 answer in tracker.api.middleware does);
- server_error (settings: handler500 in presidency/urls.py) catches errors raised by middleware, e.g. the
  session middleware saving a session, which never reach process_exception.

The next request reconnects by itself: connections are opened per request (or checked first, with
CONN_HEALTH_CHECKS, when DATABASE_CONN_MAX_AGE keeps them open).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from tracker import dbretry

logger = logging.getLogger(__name__)

DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def is_database_outage(exc: BaseException | None) -> bool:
    """True for the errors a lost or refused database connection raises (also when wrapped by another)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return _connection_broken()


def _connection_broken() -> bool:
    """The request's PostgreSQL connection was cut (psycopg marks it broken or closed): whatever error the cut
    surfaced as (a template tag, a cache fill), the request failed because the database went away."""
    from django.db import connection

    raw = getattr(connection, "connection", None)
    return raw is not None and bool(getattr(raw, "broken", False) or getattr(raw, "closed", False) is True)


def outage_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 with Retry-After: problem details for the API, a small self-contained page for people. A deadlock
    or serialisation failure (`exc`) that outlived the server's retries says so instead of "unavailable"."""
    retry_after = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    detail = _("The database is unavailable for a moment (restarting or overloaded). Nothing was saved by "
               "this request; retry in a few seconds.")
    if dbretry.is_conflict(exc):
        # Not an outage: the server already retried; the database is up and a retry will most likely pass.
        retry_after = "1"
        detail = _("This request conflicted with other requests changing the same data at the same time. "
                   "Nothing was saved by this request; it can be retried.")
    if request.path_info.startswith("/api/"):
        from tracker.api.errors import django_problem_response

        response: HttpResponse = django_problem_response(
            request, "service_unavailable", detail, headers={"Retry-After": retry_after},
            retry_after=int(retry_after),
        )
    else:
        # Rendered without a request context: the context processors would ask the database for the user.
        html = loader.render_to_string("503.html", {"detail": detail, "retry_after": retry_after})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


def _log(request: HttpRequest, exc: BaseException) -> None:
    what = "database conflict (retries used up)" if dbretry.is_conflict(exc) else "database unavailable"
    logger.warning("%s during %s %s: %s: %s", what, request.method, request.path,
                   type(exc).__name__, str(exc).strip()[:200])


class DatabaseOutageMiddleware:
    """Turns a database error raised by a view into the 503 answer (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        _log(request, exception)
        return outage_response(request, exception)


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """handler500: a database outage anywhere in the request is a 503; anything else stays a 500."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        _log(request, exc)
        return outage_response(request, exc)
    if request.path_info.startswith("/api/"):
        from tracker.api.errors import django_problem_response

        return django_problem_response(
            request, "server_error", _("The server failed to handle this request; it has been logged.")
        )
    try:
        return defaults.server_error(request, template_name)
    except Exception:  # a broken 500 template must not hide the original error behind another one
        return HttpResponseServerError(b"<h1>Server Error (500)</h1>", content_type="text/html")
