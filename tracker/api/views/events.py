"""The events feed (catch-up) and, in webhooks.py, the push. Documented in docs/api.md (Events feed)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.api import serializers as s
from tracker.api.errors import problem_response
from tracker.models.integration import EVENT_TYPES
from tracker.selectors.events import event_feed

MAX_LIMIT = 500
_DIGITS = 18


def _cursor(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > _DIGITS:
        raise exceptions.ValidationError({name: [_("A cursor is a whole number given by an earlier page.")]})
    return int(raw)


class EventFeedView(APIView):
    """Every event in commit order, each with the body its webhooks carry, kept EVENT_RETENTION_DAYS."""

    serializer_class = s.FeedPageSerializer  # the schema's answer (one page object, not a list)

    @extend_schema(
        summary="The events feed: what happened after a cursor", tags=["events"],
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, pattern=r"^[0-9]{0,18}$",
                             description="The next_cursor of the last page read; 0 (or none) from the start."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"Events per page, 1 to {MAX_LIMIT} (100)."),
            OpenApiParameter("type", OpenApiTypes.STR, enum=EVENT_TYPES, description="Only events of this type."),
            OpenApiParameter("activity", OpenApiTypes.INT, description="Only events of this activity (its id)."),
        ],
        responses={200: s.FeedPageSerializer},
        description="Read until has_more is false, keeping next_cursor; events are never reordered or changed. "
                    "A cursor older than the retention period answers 410: resynchronise with updated_since.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        after = _cursor(request, "after", 0) or 0
        limit = _cursor(request, "limit", 100)
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            raise exceptions.ValidationError({"limit": [_("Ask for 1 to %(n)d events.") % {"n": MAX_LIMIT}]})
        event_type = request.query_params.get("type") or None
        if event_type is not None and event_type not in EVENT_TYPES:
            raise exceptions.ValidationError({"type": [_("Unknown event type. Choose from: %(choices)s.") % {
                "choices": ", ".join(EVENT_TYPES)}]})
        activity = _cursor(request, "activity", None)
        page = event_feed(after=after, limit=limit, event_type=event_type, activity_id=activity)
        if page.gap:
            return problem_response("events_purged", _(
                "Events after this cursor were purged (older than the retention period); resynchronise the "
                "activities with updated_since, then read the feed from its current end."), status_code=410)
        return Response({
            "events": [{"cursor": str(position), "event": json.loads(body)} for position, body in page.events],
            "next_cursor": str(page.next_cursor),
            "has_more": page.has_more,
        })
