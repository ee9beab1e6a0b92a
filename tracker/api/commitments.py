"""The API's commitments and member-state participation: lists (paginated, filterable with django-filter,
`?presidency=`) for other systems. Commitments are written on the web board and in the admin; participation
records are written here too, through tracker/services/commitments.py (whose rules: members and observers
only, one record per state, the lead record and the activity's `lead_state` in step)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
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
)
from tracker.filters import PresidencyFilter
from tracker.models import Activity, Commitment, MemberState, Outcome, Participation, Priority
from tracker.services import commitments as services_commitments


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


class ParticipationWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A participation record as written: the activity and the state (on creation only), role, level,
    confirmed, note. The rules (members and observers only, one lead) are the services'."""

    activity = CachedRelatedField(queryset=Activity.objects.all(), help_text=_("The activity."))
    memberstate = CachedRelatedField(queryset=MemberState.objects.all(), help_text=_("The state taking part."))
    role = StrictChoiceField(choices=Participation.Role.choices, required=False)
    level = StrictChoiceField(choices=Participation.Level.choices, allow_blank=True, required=False)
    confirmed = StrictBooleanField(required=False)
    note = StrictCharField(max_length=300, allow_blank=True, required=False)


class ParticipationChangeSerializer(ParticipationWriteSerializer):
    read_only_hints = {
        "activity": _("A record stays with its activity and state: delete it and record another."),
        "memberstate": _("A record stays with its activity and state: delete it and record another."),
    }

    def get_fields(self) -> dict:
        fields = super().get_fields()
        del fields["activity"], fields["memberstate"]
        return fields


class CommitmentFilter(django_filters.FilterSet):
    presidency = PresidencyFilter(field_name="source__presidency")
    priority = django_filters.ModelChoiceFilter(queryset=Priority.objects.all(), label=_("Priority"))
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"))

    class Meta:
        model = Commitment
        fields = ["presidency", "priority", "outcome"]


class ParticipationFilter(django_filters.FilterSet):
    presidency = PresidencyFilter(field_name="activity__priority__presidency")
    activity = django_filters.ModelChoiceFilter(queryset=Activity.objects.all(), label=_("Activity"))
    memberstate = django_filters.ModelChoiceFilter(queryset=MemberState.objects.all(), label=_("State"))
    role = django_filters.ChoiceFilter(choices=Participation.Role.choices, label=_("Role"))

    class Meta:
        model = Participation
        fields = ["presidency", "activity", "memberstate", "role"]


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


_PARTICIPATION_RULES = ("Editors of the activity's body, coordinators and write keys for that body. A state that "
                        "is neither a member nor an observer is refused (400 naming `memberstate`). The role "
                        "`lead` makes the state the activity's `lead_state`, and the former lead a participant; "
                        "the activity's version goes up and subscribers hear `activity.updated`.")


@extend_schema_view(
    list=extend_schema(summary="List member states' participation in activities", tags=["participation"]),
    retrieve=extend_schema(summary="One participation record", tags=["participation"]),
    create=extend_schema(
        summary="Record a state's part in an activity", tags=["participation"], description=_PARTICIPATION_RULES,
        request=ParticipationWriteSerializer, responses={201: ParticipationSerializer}, parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Belarus hosts", request_only=True, value={
            "activity": 42, "memberstate": 1, "role": "host", "level": "minister", "confirmed": True,
            "note": "Venue in Brest"})],
    ),
    partial_update=extend_schema(summary="Change a state's role, level, confirmation or note",
                                 tags=["participation"], description=_PARTICIPATION_RULES,
                                 request=ParticipationChangeSerializer, responses={200: ParticipationSerializer}),
    destroy=extend_schema(summary="Remove a state from an activity (removing the lead clears lead_state)",
                          tags=["participation"]),
)
class ParticipationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Participation.objects.select_related("memberstate").order_by("activity_id", "memberstate_id", "id")

    @idempotent
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = ParticipationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        activity, memberstate = data.pop("activity"), data.pop("memberstate")
        saved = services_commitments.participation_save(
            actor=actor_for(request), activity=activity, memberstate=memberstate, data=data, create_only=True)
        return Response(ParticipationSerializer(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        participation = self.get_object()
        serializer = ParticipationChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        saved = services_commitments.participation_save(
            actor=actor_for(request), activity=participation.activity, memberstate=participation.memberstate,
            data=dict(serializer.validated_data))
        return Response(ParticipationSerializer(saved).data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        participation = self.get_object()
        services_commitments.participation_delete(actor=actor_for(request), participation=participation)
        return Response(status=status.HTTP_204_NO_CONTENT)
