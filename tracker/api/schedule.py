"""The API of the schedule (issue 17): links between activities (CRUD, refusals naming the cycle's path),
approved baselines (append-only) and the derived forecasts. Reads through tracker/selectors/schedule.py,
writes through tracker/services/schedule.py; errors are problem details naming the field."""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import services
from tracker.api.access import actor_for
from tracker.api.idempotency import idempotent
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.api.serializers import CachedRelatedField, StrictCharField, StrictChoiceField, StrictInputMixin
from tracker.filters import IdFilter
from tracker.models import Activity, Baseline, Dependency, Milestone, Presidency
from tracker.selectors import schedule as schedule_selectors

# --- Links -----------------------------------------------------------------------------------------------------


class DependencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Dependency
        fields = ["id", "predecessor", "predecessor_milestone", "successor", "kind", "created_at", "created_by"]
        read_only_fields = fields


class DependencyWriteSerializer(StrictInputMixin, serializers.Serializer):
    predecessor = CachedRelatedField(queryset=Activity.objects.all(), required=False,
                                     help_text=_("The activity the successor waits on."))
    predecessor_milestone = CachedRelatedField(queryset=Milestone.objects.select_related("activity"),
                                               required=False, allow_null=True,
                                               help_text=_("Or one milestone of it."))
    successor = CachedRelatedField(queryset=Activity.objects.all())
    kind = StrictChoiceField(choices=Dependency.Kind.choices, required=False)


class DependencyFilter(django_filters.FilterSet):
    activity = IdFilter(method="filter_activity", label=_("Links of this activity, both ways"))
    presidency = django_filters.ModelChoiceFilter(field_name="successor__priority__presidency",
                                                  queryset=Presidency.objects.all())
    kind = django_filters.MultipleChoiceFilter(choices=Dependency.Kind.choices, distinct=False)

    class Meta:
        model = Dependency
        fields: list[str] = []

    def filter_activity(self, queryset, name: str, value: int):
        from django.db.models import Q

        return queryset.filter(Q(predecessor_id=value) | Q(successor_id=value))


@extend_schema_view(
    list=extend_schema(summary="List links between activities", tags=["schedule"]),
    retrieve=extend_schema(summary="One link", tags=["schedule"]),
    create=extend_schema(
        summary="Link two activities", tags=["schedule"], request=DependencyWriteSerializer,
        responses={201: DependencySerializer}, parameters=[IDEMPOTENCY_KEY],
        description="Kinds `fs`, `ff`, `blocks`. A link to itself, across presidencies, twice or closing a "
                    "cycle (the path named) is a 400. See docs/schedule.md.",
        examples=[OpenApiExample("Heads of institutes wait on the network", request_only=True,
                                 value={"predecessor": 12, "successor": 13, "kind": "fs"})],
    ),
    destroy=extend_schema(summary="Remove a link", tags=["schedule"]),
)
class DependencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = DependencySerializer
    filterset_class = DependencyFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return Dependency.objects.order_by("id")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DependencyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        link = services.dependency_create(
            actor=actor_for(request), successor=data["successor"], predecessor=data.get("predecessor"),
            predecessor_milestone=data.get("predecessor_milestone"), kind=data.get("kind") or "fs",
        )
        return Response(DependencySerializer(link).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        link = get_object_or_404(Dependency.objects.select_related("successor"), pk=kwargs["pk"])
        services.dependency_delete(actor=actor_for(request), dependency=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Baselines -------------------------------------------------------------------------------------------------

class BaselineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Baseline
        fields = ["id", "presidency", "number", "reason", "approved_at", "approved_by_name"]
        read_only_fields = fields


class BaselineWriteSerializer(StrictInputMixin, serializers.Serializer):
    presidency = CachedRelatedField(queryset=Presidency.objects.all())
    reason = StrictCharField(max_length=5000, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="List approved baselines", tags=["schedule"]),
    retrieve=extend_schema(summary="One baseline", tags=["schedule"]),
    create=extend_schema(summary="Approve the current plan as a baseline (coordinators, append-only)",
                         tags=["schedule"], request=BaselineWriteSerializer, responses={201: BaselineSerializer},
                         parameters=[IDEMPOTENCY_KEY]),
)
class BaselineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    serializer_class = BaselineSerializer
    filter_backends: list = []
    lookup_value_converter = "int"

    def get_queryset(self):
        return Baseline.objects.order_by("-approved_at", "-id")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = BaselineWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        baseline = services.baseline_approve(actor=actor_for(request), **serializer.validated_data)
        return Response(BaselineSerializer(baseline).data, status=status.HTTP_201_CREATED)


# --- Forecasts -------------------------------------------------------------------------------------------------

class ForecastQuery(StrictInputMixin, serializers.Serializer):
    presidency = CachedRelatedField(queryset=Presidency.objects.all())


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


@extend_schema_view(list=extend_schema(
    summary="The presidency's schedule: forecasts, waiting flags, critical chains", tags=["schedule"],
    parameters=[OpenApiParameter("presidency", int, required=True)],
    description="Derived on read: forecasts, waiting flags, critical chains (docs/schedule.md).",
    responses={200: dict},
))
class ForecastViewSet(viewsets.GenericViewSet):
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Presidency.objects.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = ForecastQuery(data={"presidency": _int_or_raw(request.query_params.get("presidency"))})
        query.is_valid(raise_exception=True)
        plan = schedule_selectors.agenda_schedule(query.validated_data["presidency"])
        return Response({
            "priorities": [{
                "priority": s.priority_id, "latest_forecast_finish": _day(s.latest_finish),
                "forecast_late": s.forecast_late, "not_enough_data": s.no_data, "critical_chain": s.chain,
            } for s in plan.priorities.values()],
            "activities": [{
                "activity": a.id, "due_date": _day(a.due), "forecast": _day(a.forecast), "method": a.method,
                "days_late": a.late_days, "pushed_by_predecessors": a.pushed, "critical": a.critical,
                "waiting_on": [{"activity" if node > 0 else "milestone": abs(node), "reason": reason}
                               for node, reason in a.waiting],
                "baseline_due_date": _day(a.baseline_due), "days_slipped": a.slipped_days,
            } for a in plan.activities.values()],
        })


def _int_or_raw(value: str | None) -> Any:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return value
