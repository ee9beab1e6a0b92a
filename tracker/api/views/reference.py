"""Reference data and the agenda's frame: member states, bodies, presidencies, priorities (read only)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import clock, selectors
from tracker.api import serializers as s
from tracker.filters import CURRENT
from tracker.models import Body, MemberState, Presidency, Priority

# --- Reference data and the agenda's frame ----------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List member states and dialogue partners", tags=["reference"]),
    retrieve=extend_schema(summary="One member state", tags=["reference"]),
)
class MemberStateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = MemberState.objects.order_by("-is_member", "name", "id")
    serializer_class = s.MemberStateSerializer
    filter_backends: list = []
    lookup_value_converter = "int"


@extend_schema_view(
    list=extend_schema(summary="List responsible bodies", tags=["reference"]),
    retrieve=extend_schema(summary="One responsible body", tags=["reference"]),
)
class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Body.objects.order_by("name", "id")
    serializer_class = s.BodySerializer
    filter_backends: list = []
    lookup_value_converter = "int"


@extend_schema_view(
    list=extend_schema(summary="List presidencies", tags=["agenda"]),
    retrieve=extend_schema(summary="One presidency with its roll-up figures", tags=["agenda"],
                           responses=s.PresidencyDetailSerializer),
)
class PresidencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Presidency.objects.order_by("-period_start", "id")
    serializer_class = s.PresidencySerializer
    filter_backends: list = []
    lookup_value_converter = "int"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        presidency = self.get_object()
        context = {**self.get_serializer_context(), "rollup": selectors.presidency_rollup(presidency)}
        return Response(s.PresidencyDetailSerializer(presidency, context=context).data)


PRESIDENCY_PARAM = OpenApiParameter("presidency", OpenApiTypes.STR,
                                    description="Only this presidency's priorities: its id, or `current`.")


@extend_schema_view(
    list=extend_schema(summary="List priorities with their roll-up figures", tags=["agenda"],
                       parameters=[PRESIDENCY_PARAM]),
    retrieve=extend_schema(summary="One priority with its roll-up figures", tags=["agenda"]),
)
class PriorityViewSet(viewsets.ReadOnlyModelViewSet):
    """Each priority with counts by status, overdue, percent done and mean progress (selectors' roll-up)."""

    serializer_class = s.PrioritySerializer
    filter_backends: list = []
    lookup_value_converter = "int"

    def get_queryset(self):
        queryset = Priority.objects.order_by("presidency_id", "order", "number", "id")
        if self.action == "list" and "presidency" in self.request.query_params:
            raw = self.request.query_params["presidency"]
            if raw == CURRENT:  # the same word as every other list's filter (tracker/filters.py)
                current = selectors.current_presidency(clock.today())
                raw = str(current.pk) if current else "0"
            if not re.fullmatch(r"-?\d{1,18}", raw):
                raise ValidationError({"presidency": [_("A presidency id (a whole number), or “current”.")]})
            queryset = queryset.filter(presidency_id=int(raw))
        return queryset

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # One roll-up query for the whole page, whatever its size.
        instances = args[0] if args else kwargs.get("instance")
        priorities = list(instances) if isinstance(instances, list) else [instances] if instances else []
        kwargs["context"] = {**self.get_serializer_context(),
                             "rollups": selectors.rollups_by_priority([p.pk for p in priorities])}
        return self.get_serializer_class()(*args, **kwargs)
