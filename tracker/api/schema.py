"""OpenAPI details shared by every endpoint: the problem-details error responses, the If-Match and
Idempotency-Key headers, and a strict request schema (unknown properties are refused by the API, so the
schema says so too)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from tracker.api.errors import PROBLEM_CONTENT_TYPE, PROBLEMS, TYPE_PREFIX, problem


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details: the shape of every error answer of the API."""

    type = serializers.CharField(help_text=_("A URI naming the kind of problem; stable."))
    title = serializers.CharField(help_text=_("A short summary of the kind of problem."))
    status = serializers.IntegerField(help_text=_("The HTTP status code."))
    detail = serializers.CharField(help_text=_("What went wrong this time, for a person to read."))
    instance = serializers.CharField(required=False, help_text=_("The path of the request."))
    code = serializers.ChoiceField(choices=list(PROBLEMS), help_text=_("The kind of problem, for a program."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text=_("Messages per input field (`title`, `items[3].due_date`, `Idempotency-Key`)."),
    )
    item_errors = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())), required=False,
        help_text=_("Bulk requests: messages per item index, then per field."),
    )
    current_version = serializers.IntegerField(
        required=False, help_text=_("412: the activity's current version (also sent as the ETag header).")
    )
    retry_after = serializers.IntegerField(required=False, help_text=_("409 and 429: seconds to wait."))
    max_bytes = serializers.IntegerField(required=False, help_text=_("413: the largest body accepted."))


def _example(code: str, detail: str, **extra: Any) -> OpenApiExample:
    status, title = PROBLEMS[code]
    return OpenApiExample(str(title), value=problem(code, detail, instance="/api/v1/activities/42/", **extra),
                          status_codes=[str(status)], response_only=True)


PROBLEM_EXAMPLES: dict[int, list[OpenApiExample]] = {
    400: [
        _example("invalid", "progress: Ensure this value is less than or equal to 100.",
                 errors={"progress": ["Ensure this value is less than or equal to 100."]}),
        _example("malformed_json", "JSON parse error - Expecting value: line 1 column 12 (char 11)"),
    ],
    401: [_example("not_authenticated", "Authentication credentials were not provided.")],
    403: [_example("permission_denied", "You may not change this activity: another body is responsible for it.")],
    404: [_example("not_found", "Not found.")],
    409: [
        _example("transition_not_allowed", "A cancelled activity cannot be marked done; reopen it first.",
                 errors={"status": ["A cancelled activity cannot be marked done; reopen it first."]}),
        _example("idempotency_in_progress",
                 "A request with this Idempotency-Key is still being processed. Retry after a moment.",
                 retry_after=1),
    ],
    412: [_example("stale_version", "Someone else changed this activity meanwhile (now version 5, you had 4). "
                   "Reload it and apply your change again.", current_version=5)],
    413: [_example("payload_too_large", "The request body has 9000000 bytes; the API accepts at most 4194304.",
                   max_bytes=4194304)],
    415: [_example("unsupported_media_type", 'Unsupported media type "text/plain" in request.')],
    422: [_example("idempotency_key_reused", "This Idempotency-Key was already used for a different request.")],
    429: [_example("throttled", "Request was throttled. Expected available in 12 seconds.", retry_after=12)],
}

_DESCRIPTIONS = {
    400: _("Invalid input: malformed JSON, wrong types, unknown fields, values out of range (problem details)."),
    401: _("No credentials, or a key that is unknown, revoked or expired."),
    403: _("Authenticated, but not allowed: read-only scope or role, or an activity of another body."),
    404: _("No such object (or URL)."),
    409: _("Refused by the workflow, or a request with the same Idempotency-Key is still running "
           "(then with Retry-After)."),
    412: _("If-Match does not match the current version: nothing was changed; `current_version` tells the "
           "version to base the change on."),
    413: _("The request body is larger than the API accepts."),
    415: _("The body is not `application/json`."),
    422: _("The Idempotency-Key was already used with a different request."),
    429: _("Too many requests; wait for Retry-After seconds."),
}


def problem_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=str(_DESCRIPTIONS[status]),
                           examples=PROBLEM_EXAMPLES.get(status, []))


IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    pattern=r'^(\*|(W/)?"[0-9]{1,12}"(, ?(W/)?"[0-9]{1,12}")*)$',
    description=str(_(
        "The activity's ETag as you last read it, e.g. `\"4\"`. The write happens only if the activity is still "
        "at that version; otherwise 412 and nothing changes. Strongly recommended for every write."
    )),
    examples=[OpenApiExample("Version 4", value='"4"')],
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, pattern="^[!-~]{1,255}$",
    description=str(_(
        "A unique key per logical request (a UUID). A retry with the same key and body returns the first "
        "response and does nothing again; the same key with another body answers 422; while the first is "
        "still running, 409 with Retry-After. Keys are kept for at least 24 hours."
    )),
    examples=[OpenApiExample("UUID", value="5f0c6f1e-3b7a-4a53-9f0e-2d7c1b8e9a10")],
)



class ApiAutoSchema(AutoSchema):
    """Every operation lists the problem-details answers it can give, without repeating them by hand."""

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        codes = [401, 403, 429]
        if "{" in self.path:
            codes.append(404)
        if method != "GET":
            codes += [400, 413, 415]
        if method == "GET":
            codes.append(400)  # bad filter or page_size values
            if self._is_list_view():
                codes.append(404)  # a page past the end
        if method == "POST" or "by-ref" in self.path:
            codes += [409, 422]
        if getattr(self.view, "conditional_writes", False) and method in {"PUT", "PATCH", "DELETE", "POST"}:
            codes += [409, 412]
        for code in sorted(set(codes)):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    problem_response(code), str(code), media_types=[PROBLEM_CONTENT_TYPE], direction=direction
                )
        return responses


def strict_request_bodies(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """POSTPROCESSING_HOOK: request bodies refuse unknown properties, as the API does."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    if "BulkRequestRequest" in schemas:  # drf-spectacular does not carry allow_empty=False over
        schemas["BulkRequestRequest"]["properties"]["items"]["minItems"] = 1
    return result


def shared_problem_examples(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """POSTPROCESSING_HOOK: the problem-details examples are the same on every operation; each is written once
    under components/examples and referenced (they were 87 KB of the schema, repeated ~90 times)."""
    shared: dict[str, Any] = result.setdefault("components", {}).setdefault("examples", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content", {}).get(PROBLEM_CONTENT_TYPE, {})
                for name, example in list(content.get("examples", {}).items()):
                    key, n = name, 1
                    while key in shared and shared[key] != example:
                        n += 1
                        key = f"{name}{n}"
                    shared[key] = example
                    content["examples"][name] = {"$ref": f"#/components/examples/{key}"}
    return result


__all__ = ["IDEMPOTENCY_KEY", "IF_MATCH", "TYPE_PREFIX", "ApiAutoSchema", "ProblemSerializer", "problem_response"]
