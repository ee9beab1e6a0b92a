"""The API's commitments and member-state participation: read-only lists (paginated, filterable with
django-filter) for other systems; writes go through the web board and the admin (the services)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from tracker.models import Activity, Commitment, MemberState, Outcome, Participation, Presidency, Priority


class CommitmentSerializer(serializers.ModelSerializer):
    presidency = serializers.IntegerField(source="source.presidency_id", read_only=True)
    source_code = serializers.CharField(source="source.code", read_only=True)
    # Declared so the schema admits what an open commitment has: no outcome yet, nobody who signed it.
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    outcome_signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    activities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id", "presidency", "source", "source_code", "number", "priority", "statement", "statement_ru",
            "quote", "quote_ru", "passage", "success_criterion", "success_criterion_ru", "activities", "outcome",
            "outcome_evidence", "outcome_signed_by", "outcome_signed_at",
        ]
        read_only_fields = fields


class ParticipationSerializer(serializers.ModelSerializer):
    state_code = serializers.CharField(source="memberstate.code", read_only=True)
    level = serializers.ChoiceField(choices=Participation.Level.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "activity", "memberstate", "state_code", "role", "level", "confirmed", "note"]
        read_only_fields = fields


class CommitmentFilter(django_filters.FilterSet):
    presidency = django_filters.ModelChoiceFilter(
        field_name="source__presidency", queryset=Presidency.objects.all(), label=_("Presidency")
    )
    priority = django_filters.ModelChoiceFilter(queryset=Priority.objects.all(), label=_("Priority"))
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"))

    class Meta:
        model = Commitment
        fields = ["presidency", "priority", "outcome"]


class ParticipationFilter(django_filters.FilterSet):
    activity = django_filters.ModelChoiceFilter(queryset=Activity.objects.all(), label=_("Activity"))
    memberstate = django_filters.ModelChoiceFilter(queryset=MemberState.objects.all(), label=_("State"))
    role = django_filters.ChoiceFilter(choices=Participation.Role.choices, label=_("Role"))

    class Meta:
        model = Participation
        fields = ["activity", "memberstate", "role"]


@extend_schema_view(
    list=extend_schema(summary="List commitments with their outcomes", tags=["commitments"]),
    retrieve=extend_schema(summary="One commitment", tags=["commitments"]),
)
class CommitmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Commitment]:
        return (
            Commitment.objects.select_related("source", "outcome_signed_by")
            .prefetch_related(Prefetch("activities", queryset=Activity.objects.only("id")))
            .order_by("source_id", "number", "id")
        )


@extend_schema_view(
    list=extend_schema(summary="List member states' participation in activities", tags=["participation"]),
    retrieve=extend_schema(summary="One participation record", tags=["participation"]),
)
class ParticipationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter
    lookup_value_converter = "int"
    queryset = Participation.objects.select_related("memberstate").order_by("activity_id", "memberstate_id", "id")
