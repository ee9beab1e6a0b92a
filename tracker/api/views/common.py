"""What the API's viewsets share: the ETag parameter, the examples, If-Match and reference checks."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
)
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import selectors
from tracker.api import serializers as s
from tracker.validators import single_line

ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201],
    description="The activity's version as an entity tag, e.g. `\"4\"`: send it back in If-Match.",
)

ACTIVITY_EXAMPLE = OpenApiExample(
    "An activity",
    response_only=True,
    value={
        "id": 42, "code": "joint-exercises-2023", "presidency": 1, "priority": 3,
        "title": "Joint exercises of CSTO command bodies, forces and assets in Belarus", "title_ru": "",
        "description": "", "description_ru": "", "kind": "exercise", "status": "in_progress",
        "start_date": "2023-03-01", "due_date": "2023-09-30", "completed_date": None, "progress": 40,
        "responsible_body": 3, "lead_state": 2, "participating_states": [1, 2, 3], "location": "Belarus",
        "external_source": "mod-by", "external_id": "EX-2023-7", "version": 4,
        "created_at": "2023-01-10T09:00:00Z", "updated_at": "2023-05-02T14:12:00Z", "overdue": False,
        "days_left": 151, "allowed_transitions": ["planned", "at_risk", "blocked", "done", "cancelled"],
    },
)
CREATE_EXAMPLE = OpenApiExample(
    "Create an activity",
    request_only=True,
    value={"priority": 3, "title": "Meeting of heads of analytical institutes", "kind": "meeting",
           "start_date": "2023-04-01", "due_date": "2023-06-30", "responsible_body": 5,
           "participating_states": [1, 2], "note": "Planned at the Minsk session"},
)


# --- Helpers ---------------------------------------------------------------------------------------------

_ETAG_LIST = re.compile(r'(W/)?"([0-9]{1,12})"(\s*,\s*(W/)?"[0-9]{1,12}")*')
_ETAG = re.compile(r'(?:W/)?"([0-9]{1,12})"')


def expected_version(request: Request, current: int | None) -> int | None:
    """The version named by If-Match, or None without one (or with `*`).

    If-Match holds one or more ETags as this API sends them (`"4"`; a weak `W/"4"` is taken as the same);
    anything else is a malformed header (400). A list matches when any of its versions is the current one.
    """
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "*":
        return None
    if not _ETAG_LIST.fullmatch(raw):
        raise ValidationError({"If-Match": [
            _('If-Match must hold the ETag you read, e.g. "4" (with the quotes), or *.')
        ]})
    versions = [int(v) for v in _ETAG.findall(raw)]
    if current is not None and current in versions:
        return current
    return versions[0]


def activity_response(activity_id: int, *, status_code: int = status.HTTP_200_OK, context: dict | None = None,
                      location: bool = False) -> Response:
    """The activity as stored now, with its ETag."""
    activity = selectors.activity_records().get(pk=activity_id)
    response = Response(s.ActivitySerializer(activity, context=context or {}).data, status=status_code)
    response["ETag"] = activity.etag
    if location:
        response["Location"] = f"/api/v1/activities/{activity.pk}/"
    return response


def check_reference(source: str, ref: str) -> None:
    """The reference in a by-ref URL follows the fields' own rules (length, no control characters such as
    NUL, which PostgreSQL cannot even compare), named as the fields they fill."""
    errors: dict[str, list[str]] = {}
    for field, value, limit, too_long in (("external_source", source, 50, _("At most 50 characters.")),
                                          ("external_id", ref, 100, _("At most 100 characters."))):
        if len(value) > limit:
            errors[field] = [too_long]
            continue
        try:
            single_line(value)
        except DjangoValidationError as exc:
            errors[field] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


def write_data(serializer: s.ActivityWriteSerializer) -> tuple[dict, str]:
    data = dict(serializer.validated_data)
    note = data.pop("note", "") or ""
    return data, note
