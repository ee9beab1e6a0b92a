"""Request ids: every request gets one (or keeps a sane one a proxy sent), every log line carries it, and
the response returns it in `X-Request-ID`, so a person reporting a problem can quote it."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request), for both log formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = _request_id.get()
            if request_id == "-":
                # django.request logs an error answer after the middleware has finished; the request knows.
                request_id = getattr(getattr(record, "request", None), "request_id", "-")
            if request_id == "-":
                request_id = _task_id()  # in a worker: the task's id, so that one task's lines can be found
            record.request_id = request_id
        return True


def _task_id() -> str:
    from celery import current_task

    request = getattr(current_task, "request", None)  # current_task is None outside a task
    return getattr(request, "id", None) or "-"


class AccessLogRequestIdFilter(logging.Filter):
    """gunicorn's access lines: `request_id` from the response's X-Request-ID, so that the JSON access line and
    the application's lines of one request share it (presidency/gunicorn.conf.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, dict) else {}
        request_id = atoms.get("{x-request-id}o", "-")
        record.request_id = request_id if request_id and request_id != "-" else getattr(record, "request_id", "-")
        return True
