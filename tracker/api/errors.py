"""One error shape for everything under /api/: RFC 9457 problem details.

Every error answer is `application/problem+json` with `type`, `title`, `status`, `detail`, `instance`, a
stable `code`, and `errors` (field -> messages) where input was at fault. DRF's own exceptions, the
domain's errors (tracker.errors) and Django's (404, 413, a crash) all end up here, so an integrator writes
one error handler for the whole API and never parses an HTML page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from tracker.errors import DomainError, InvalidInput, NotPermitted, StaleVersion, TooLarge, TransitionNotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:presidency-tracker:problem:"

#: code -> (HTTP status, title). Codes are stable; titles are for people, in the language of the detail.
PROBLEMS: dict[str, tuple[int, Promise]] = {
    "invalid": (400, _lazy("Invalid input")),
    "malformed_json": (400, _lazy("Malformed JSON")),
    "bulk_invalid": (400, _lazy("Some items of the bulk request were refused")),
    "not_authenticated": (401, _lazy("Authentication required")),
    "authentication_failed": (401, _lazy("Invalid credentials")),
    "permission_denied": (403, _lazy("Not permitted")),
    "not_found": (404, _lazy("Not found")),
    "method_not_allowed": (405, _lazy("Method not allowed")),
    "not_acceptable": (406, _lazy("Not acceptable")),
    "transition_not_allowed": (409, _lazy("Transition not allowed")),
    "idempotency_in_progress": (409, _lazy("A request with this Idempotency-Key is still running")),
    "stale_version": (412, _lazy("Precondition failed: the activity has changed")),
    "payload_too_large": (413, _lazy("Request body too large")),
    "unsupported_media_type": (415, _lazy("Unsupported media type")),
    "idempotency_key_reused": (422, _lazy("Idempotency-Key reused with a different request")),
    "throttled": (429, _lazy("Too many requests")),
    "server_error": (500, _lazy("Internal server error")),
    "service_unavailable": (503, _lazy("Service unavailable")),
}


def problem(
    code: str,
    detail: str,
    *,
    status_code: int | None = None,
    instance: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The body of a problem-details answer."""
    default_status, title = PROBLEMS.get(code, (status_code or 400, _lazy("Error")))
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": str(title),
        "status": status_code or default_status,
        "detail": str(detail),
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(code: str, detail: str, *, status_code: int | None = None, headers: dict | None = None,
                     request: Any = None, **extra: Any) -> Response:
    body = problem(code, detail, status_code=status_code, instance=_path(request), **extra)
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def django_problem_response(request: HttpRequest, code: str, detail: str, *, status_code: int | None = None,
                            headers: dict | None = None, **extra: Any) -> JsonResponse:
    """The same body for answers given outside DRF (URL not found, body too large, an unhandled crash)."""
    body = problem(code, detail, status_code=status_code, instance=request.path, **extra)
    response = JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE,
                            json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _path(request: Any) -> str | None:
    return getattr(request, "path", None) if request is not None else None


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as flat `field` / `items[3].due_date` keys, each with its messages."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_errors(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def _summary(errors: dict[str, list[str]]) -> str:
    if len(errors) == 1:
        field, messages = next(iter(errors.items()))
        return f"{field}: {messages[0]}" if field != "non_field_errors" else messages[0]
    return _("%(count)s fields are invalid: %(fields)s.") % {"count": len(errors), "fields": ", ".join(errors)}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every exception a view raises becomes problem details (or None: a real 500)."""
    request = context.get("request")
    from tracker.errors import BulkInvalid

    if isinstance(exc, DomainError):
        set_rollback()
        if isinstance(exc, BulkInvalid):
            item_errors = {str(index): fields for index, fields in sorted(exc.item_errors.items())}
            errors = {f"items[{index}].{field}": messages
                      for index, fields in sorted(exc.item_errors.items()) for field, messages in fields.items()}
            detail = _("%(count)s item(s) were refused; nothing was saved. See item_errors.") % {
                "count": len(item_errors)}
            codes = set(exc.item_codes.values())
            if codes == {NotPermitted.code}:  # only refusals of permission: the caller may not, whatever it sends
                return problem_response("permission_denied", detail, request=request, errors=errors,
                                        item_errors=item_errors)
            return problem_response("bulk_invalid", detail, request=request, errors=errors, item_errors=item_errors)
        if isinstance(exc, InvalidInput):
            return problem_response("invalid", _summary(exc.errors), request=request, errors=exc.errors)
        if isinstance(exc, StaleVersion):
            return problem_response(
                "stale_version", exc.message, request=request, current_version=exc.current_version,
                headers={"ETag": f'"{exc.current_version}"'} if exc.current_version else None,
            )
        if isinstance(exc, TransitionNotAllowed):
            return problem_response("transition_not_allowed", exc.message, request=request,
                                    errors={exc.field or "status": [exc.message]})
        if isinstance(exc, NotPermitted):
            return problem_response("permission_denied", exc.message, request=request)
        if isinstance(exc, TooLarge):
            return problem_response("payload_too_large", exc.message, request=request,
                                    errors={"file": [exc.message]}, max_bytes=exc.limit)
        return problem_response("invalid", exc.message, request=request,
                                errors={exc.field or "non_field_errors": [exc.message]})

    if isinstance(exc, ProblemException):
        set_rollback()
        return problem_response(exc.problem_code, str(exc.detail), request=request, headers=exc.headers, **exc.extra)

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args))

    if not isinstance(exc, exceptions.APIException):
        return None

    set_rollback()
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return problem_response("invalid", _summary(errors), request=request, headers=headers, errors=errors)
    code = _code_for(exc)
    detail = exc.detail if not isinstance(exc.detail, list | dict) else flatten_errors(exc.detail)
    if code == "malformed_json" and "Expecting value" in str(detail):
        # What a shell leaves of `{"priority": $PRIORITY}` when the variable is unset: say so.
        detail = f"{detail}. " + _("A value is missing at that point: was a variable in the request left empty?")
    extra = {"retry_after": int(headers["Retry-After"])} if "Retry-After" in headers else {}
    return problem_response(code, str(detail), status_code=exc.status_code, request=request, headers=headers,
                            **extra)


def _code_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ParseError):
        return "malformed_json"
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated" if exc.status_code == status.HTTP_401_UNAUTHORIZED else "permission_denied"
    if isinstance(exc, exceptions.AuthenticationFailed):
        return "authentication_failed" if exc.status_code == status.HTTP_401_UNAUTHORIZED else "permission_denied"
    by_status = {403: "permission_denied", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
                 409: "idempotency_in_progress", 413: "payload_too_large", 415: "unsupported_media_type",
                 422: "idempotency_key_reused", 429: "throttled"}
    return getattr(exc, "problem_code", None) or by_status.get(exc.status_code, "invalid")


class ProblemException(exceptions.APIException):
    """An API exception with a problem code and extra members, raised by our own views and helpers."""

    def __init__(self, code: str, detail: str, *, headers: dict | None = None, **extra: Any) -> None:
        status_code, _title = PROBLEMS[code]
        self.status_code = status_code
        self.problem_code = code
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)
