"""Guards for everything under /api/ that must hold before and after DRF runs.

- A body larger than API_MAX_BODY_BYTES is refused with 413 before anything reads it (DRF's JSON parser
  would otherwise read any size into memory).
- An error answered outside DRF (an unknown URL, a crash, a bad Host header) is turned into problem
  details, so the API never answers with an HTML page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from tracker.api.errors import PROBLEMS, django_problem_response

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
_DOCUMENT_UPLOAD = re.compile(r"^/api/v1/activities/[0-9]+/documents/([0-9]+/versions/)?$")
_MULTIPART_ENVELOPE = 64 * 1024  # the title, kind and boundaries around the file
_STATUS_CODES = {status: code for code, (status, _title) in reversed(PROBLEMS.items())}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path_info):
            return self.get_response(request)
        refused = self._refuse_oversized(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            return self._as_problem(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path_info):
            return None
        logger.exception("Unhandled error in %s %s", request.method, request.path, exc_info=exception)
        return django_problem_response(
            request, "server_error", _("The server failed to handle this request; it has been logged.")
        )

    def _refuse_oversized(self, request: HttpRequest) -> HttpResponse | None:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return django_problem_response(request, "invalid", _("The Content-Length header is not a number."))
        limit = settings.API_MAX_BODY_BYTES
        if request.method == "POST" and _DOCUMENT_UPLOAD.match(request.path_info):
            # A document may be larger than any JSON body: its own limit (plus the form's envelope) applies,
            # and the message names the documents' limit (tracker/documents.py).
            from tracker import documents

            if length > documents.max_bytes() + _MULTIPART_ENVELOPE:
                return django_problem_response(
                    request, "payload_too_large",
                    _("The file is larger than documents may be: at most %(limit)s.") % {
                        "limit": documents.human_size(documents.max_bytes())},
                    max_bytes=documents.max_bytes(),
                )
            return None
        if length > limit:
            return django_problem_response(
                request, "payload_too_large",
                _("The request body has %(size)s bytes; the API accepts at most %(limit)s. Send fewer items "
                  "per request.") % {"size": length, "limit": limit},
                max_bytes=limit,
            )
        return None

    def _as_problem(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        code = _STATUS_CODES.get(status, "server_error" if status >= 500 else "invalid")
        if status == 404:
            detail = not_found_detail(request.path_info)
        elif status >= 500:
            detail = _("The server failed to handle this request; it has been logged.")
        else:
            detail = str(PROBLEMS.get(code, (status, response.reason_phrase))[1])
        headers = {name: response[name] for name in ("Allow", "Retry-After", "WWW-Authenticate") if name in response}
        return django_problem_response(request, code, detail, status_code=status, headers=headers)


def not_found_detail(path: str) -> str:
    if not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            return _("No API endpoint at this URL. API URLs end with a slash: %(path)s/") % {"path": path}
    return _("No API endpoint at this URL. The endpoints are listed at /api/docs/.")


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """The last URL under /api/: whatever matched nothing else."""
    return django_problem_response(request, "not_found", not_found_detail(request.path_info))
