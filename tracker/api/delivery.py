"""The API of the secretariat's rhythm: confidence assessments (append-only), the risk log and stocktakes.

Reads go through tracker/selectors/delivery.py, writes through tracker/services/delivery.py; the rules on
who may write are in tracker/permissions.py (the services check them). Errors are problem details.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tracker.api.access import actor_for
from tracker.api.idempotency import idempotent
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.api.serializers import (
    CachedRelatedField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictInputMixin,
    StrictIntegerField,
)
from tracker.filters import PresidencyFilter
from tracker.models import Activity, ConfidenceAssessment, Priority, RaidEntry, Rating, Stocktake
from tracker.selectors import delivery as selectors_delivery
from tracker.services import delivery as services_delivery

# --- Serializers ---------------------------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    rating_label = serializers.CharField(source="get_rating_display", read_only=True)
    assessor = serializers.CharField(source="assessor_name", read_only=True)

    class Meta:
        model = ConfidenceAssessment
        fields = ["id", "activity", "priority", "rating", "rating_label", "narrative", "actions", "assessor",
                  "assessed_on", "next_review", "created_at"]
        read_only_fields = fields


class AssessmentWriteSerializer(StrictInputMixin, serializers.Serializer):
    activity = CachedRelatedField(queryset=Activity.objects.all(), required=False,
                                                  help_text=_("The activity assessed (or give a priority)."))
    priority = CachedRelatedField(queryset=Priority.objects.all(), required=False,
                                                  help_text=_("The priority assessed (coordinators only)."))
    rating = StrictChoiceField(choices=Rating.choices)
    narrative = StrictCharField(max_length=10000)
    actions = StrictCharField(max_length=10000, required=False, allow_blank=True)
    next_review = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("activity" in attrs) == ("priority" in attrs):
            raise serializers.ValidationError({"activity": [_("Give either an activity or a priority.")]})
        return attrs


class RaidEntrySerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RaidEntry
        fields = ["id", "priority", "activity", "kind", "statement", "owner", "likelihood", "impact", "score",
                  "response", "due_date", "status", "escalated", "created_at", "updated_at"]
        read_only_fields = fields


class RaidEntryWriteSerializer(StrictInputMixin, serializers.Serializer):
    priority = CachedRelatedField(queryset=Priority.objects.all(), required=False)
    activity = CachedRelatedField(queryset=Activity.objects.all(), required=False)
    kind = StrictChoiceField(choices=RaidEntry.Kind.choices, required=False)
    statement = StrictCharField(max_length=5000, required=False)
    owner = StrictCharField(max_length=150, required=False, allow_blank=True)
    likelihood = StrictIntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    impact = StrictIntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    response = StrictCharField(max_length=5000, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    status = StrictChoiceField(choices=RaidEntry.Status.choices, required=False)
    escalated = StrictBooleanField(required=False)


class StocktakeSerializer(serializers.ModelSerializer):
    decisions = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Stocktake
        fields = ["id", "presidency", "priority", "held_on", "title", "attendees", "status", "opened_by",
                  "closed_by", "closed_at", "decisions", "actions"]
        read_only_fields = fields

    def _items(self, stocktake: Stocktake, kind: str) -> list[dict[str, Any]]:
        return [{"text": i.text, "owner": i.owner, "due_date": i.due_date.isoformat() if i.due_date else None,
                 "activity": i.activity_id} for i in stocktake.items.all() if i.kind == kind]

    def get_decisions(self, stocktake: Stocktake) -> list[dict[str, Any]]:
        return self._items(stocktake, "decision")

    def get_actions(self, stocktake: Stocktake) -> list[dict[str, Any]]:
        return self._items(stocktake, "action")


# --- Filters -------------------------------------------------------------------------------------------------

class _TrueFalseField(django_filters.fields.ChoiceField):
    """`true` or `false` and nothing else: "null" or "maybe" is a mistake to name, not "no filter"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["choices"] = [("true", "true"), ("false", "false")]
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> bool | None:
        value = super().clean(value)
        return None if value in (None, "") else value == "true"


class TrueFalseFilter(django_filters.BooleanFilter):
    field_class = _TrueFalseField


def _in_presidency(queryset: Any, name: str, value: Any) -> Any:
    """An entry filed under a priority or under an activity, in the chosen presidency."""
    if value is None:
        return queryset
    return queryset.filter(Q(priority__presidency=value) | Q(activity__priority__presidency=value))


class AssessmentFilter(django_filters.FilterSet):
    presidency = PresidencyFilter(method=_in_presidency)
    activity = django_filters.ModelChoiceFilter(queryset=Activity.objects.all())
    priority = django_filters.ModelChoiceFilter(queryset=Priority.objects.all())
    rating = django_filters.MultipleChoiceFilter(choices=Rating.choices, distinct=False)
    since = django_filters.DateFilter(field_name="assessed_on", lookup_expr="gte",
                                      label=_("Assessed on or after"))
    current = TrueFalseFilter(method="filter_current", label=_("Only the current assessment of each"))

    class Meta:
        model = ConfidenceAssessment
        fields: list[str] = []

    def filter_current(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        superseded = selectors_delivery._superseded()
        return queryset.exclude(superseded) if value else queryset.filter(superseded)


class RaidFilter(django_filters.FilterSet):
    presidency = PresidencyFilter(method=_in_presidency)
    priority = django_filters.ModelChoiceFilter(queryset=Priority.objects.all())
    activity = django_filters.ModelChoiceFilter(queryset=Activity.objects.all())
    kind = django_filters.MultipleChoiceFilter(choices=RaidEntry.Kind.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=RaidEntry.Status.choices, distinct=False)
    escalated = TrueFalseFilter()
    min_score = django_filters.NumberFilter(field_name="score_value", lookup_expr="gte",
                                            min_value=1, max_value=25, label=_("Score at least (1 to 25)"))
    since = django_filters.DateFilter(field_name="updated_at", lookup_expr="date__gte",
                                      label=_("Changed on or after"))

    class Meta:
        model = RaidEntry
        fields: list[str] = []


class StocktakeFilter(django_filters.FilterSet):
    presidency = PresidencyFilter()

    class Meta:
        model = Stocktake
        fields = ["presidency"]


# --- Views ---------------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List confidence assessments", tags=["delivery"],
                       description="Newest first. `current=true` keeps only each subject's latest."),
    retrieve=extend_schema(summary="One confidence assessment", tags=["delivery"]),
    create=extend_schema(
        summary="Record a confidence assessment (append-only)", tags=["delivery"],
        request=AssessmentWriteSerializer, responses={201: AssessmentSerializer}, parameters=[IDEMPOTENCY_KEY],
        description="Staff signed in as a person: editors of the activity's body and coordinators for an "
                    "activity, coordinators for a priority. API keys never assess.",
        examples=[OpenApiExample("An assessment", request_only=True, value={
            "activity": 42, "rating": "amber", "narrative": "The host venue is not yet confirmed.",
            "actions": "Decide the venue at the June stocktake.", "next_review": "2023-07-01"})],
    ),
)
class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors_delivery.assessments()

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AssessmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services_delivery.assessment_create(actor=actor_for(request), **serializer.validated_data)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List the risk log (RAID)", tags=["delivery"]),
    retrieve=extend_schema(summary="One risk log entry", tags=["delivery"]),
    create=extend_schema(summary="Add a risk, assumption, issue, dependency or decision", tags=["delivery"],
                         request=RaidEntryWriteSerializer, responses={201: RaidEntrySerializer},
                         parameters=[IDEMPOTENCY_KEY]),
    partial_update=extend_schema(summary="Change a risk log entry (its history is kept)", tags=["delivery"],
                                 request=RaidEntryWriteSerializer, responses={200: RaidEntrySerializer}),
)
class RaidEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    serializer_class = RaidEntrySerializer
    filterset_class = RaidFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors_delivery.raid_entries()

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RaidEntryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        priority, activity = data.pop("priority", None), data.pop("activity", None)
        entry = services_delivery.raid_create(actor=actor_for(request), priority=priority, activity=activity,
                                              data=data)
        return Response(RaidEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        serializer = RaidEntryWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "priority" in data or "activity" in data:
            raise serializers.ValidationError({"priority": [_("An entry stays where it was filed.")]})
        entry = services_delivery.raid_update(actor=actor_for(request), entry=entry, changes=data)
        return Response(RaidEntrySerializer(entry).data)


@extend_schema_view(
    list=extend_schema(summary="List stocktakes", tags=["delivery"]),
    retrieve=extend_schema(summary="One stocktake with its decisions and actions", tags=["delivery"]),
)
class StocktakeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StocktakeSerializer
    filterset_class = StocktakeFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return Stocktake.objects.prefetch_related("items").order_by("-held_on", "-id")

