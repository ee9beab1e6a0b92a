"""An activity's milestones."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import services
from tracker.api import serializers as s
from tracker.api.access import actor_for
from tracker.api.idempotency import idempotent
from tracker.api.nested import UnderActivity
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.models import Milestone

# --- Milestones ------------------------------------------------------------------------------------------

ACTIVITY_PK = OpenApiParameter("activity_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                               description="The activity's id.")


@extend_schema_view(
    list=extend_schema(summary="An activity's milestones, in order", tags=["milestones"], parameters=[ACTIVITY_PK]),
    retrieve=extend_schema(summary="One milestone", tags=["milestones"], parameters=[ACTIVITY_PK]),
    create=extend_schema(summary="Add a milestone", tags=["milestones"], parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY],
                         examples=[OpenApiExample("A step", request_only=True,
                                                  value={"title": "Agree the exercise plan",
                                                         "due_date": "2023-05-15"})]),
    partial_update=extend_schema(summary="Change a milestone", tags=["milestones"], parameters=[ACTIVITY_PK]),
    destroy=extend_schema(summary="Remove a milestone", tags=["milestones"], parameters=[ACTIVITY_PK]),
)
class MilestoneViewSet(UnderActivity, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Milestones are an activity's checklist; where there are any, the activity's progress follows them."""

    serializer_class = s.MilestoneSerializer
    filter_backends: list = []
    pagination_class = None
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Milestone.objects.none()
        return Milestone.objects.filter(activity=self._activity()).order_by("order", "id")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_create(actor=actor_for(request), activity=self._activity(),
                                              **serializer.validated_data)
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.milestone_update(actor=actor_for(request), milestone=milestone,
                                            changes=dict(serializer.validated_data))
        return Response(self.get_serializer(updated).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        services.milestone_delete(actor=actor_for(request), milestone=milestone)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Tick or untick a milestone", tags=["milestones"], request=s.MilestoneToggleSerializer,
                   responses={200: s.MilestoneSerializer}, parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def toggle(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        serializer = s.MilestoneToggleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.milestone_toggle(actor=actor_for(request), milestone=milestone,
                                            done=serializer.validated_data.get("done"))
        return Response(self.get_serializer(updated).data)

    @extend_schema(summary="Confirm a milestone and its date as a decision", tags=["milestones"],
                   request=s.ConfirmMilestoneDateSerializer, responses={200: s.MilestoneSerializer},
                   parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="confirm-date")
    @idempotent
    def confirm_date(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        s.ConfirmMilestoneDateSerializer(data=request.data).is_valid(raise_exception=True)
        updated = services.milestone_confirm_date(actor=actor_for(request), milestone=milestone)
        return Response(self.get_serializer(updated).data)
