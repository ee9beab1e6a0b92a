"""The REST API's endpoints: thin viewsets that read through selectors and FilterSets and write through
tracker/services.py. No view writes an activity or a milestone itself.

Activity responses carry an ETag made of the version; writes honour If-Match (stale -> 412, nothing
changed) and POSTs honour Idempotency-Key (a retry replays the first answer).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import audit, clock, selectors, services
from tracker.api import serializers as s
from tracker.api.access import AgendaManagers, actor_for
from tracker.api.history import history_entries
from tracker.api.idempotency import idempotent
from tracker.api.schema import IDEMPOTENCY_KEY, IF_MATCH
from tracker.filters import ActivityFilter
from tracker.history import records as history_records
from tracker.models import Activity, Body, MemberState, Milestone, Presidency, Priority, WebhookSubscription
from tracker.validators import single_line

ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 201],
    description="The activity's version as an entity tag, e.g. `\"4\"`: send it back in If-Match.",
)

_ACTIVITY_EXAMPLE = OpenApiExample(
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
_CREATE_EXAMPLE = OpenApiExample(
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


def _check_reference(source: str, ref: str) -> None:
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


def _write_data(serializer: s.ActivityWriteSerializer) -> tuple[dict, str]:
    data = dict(serializer.validated_data)
    note = data.pop("note", "") or ""
    return data, note


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


PRESIDENCY_PARAM = OpenApiParameter("presidency", OpenApiTypes.INT, description="Only this presidency's priorities.")


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
            if not re.fullmatch(r"-?\d{1,18}", raw):
                raise ValidationError({"presidency": [_("A presidency id (a whole number).")]})
            queryset = queryset.filter(presidency_id=int(raw))
        return queryset

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # One roll-up query for the whole page, whatever its size.
        instances = args[0] if args else kwargs.get("instance")
        priorities = list(instances) if isinstance(instances, list) else [instances] if instances else []
        kwargs["context"] = {**self.get_serializer_context(),
                             "rollups": selectors.rollups_by_priority([p.pk for p in priorities])}
        return self.get_serializer_class()(*args, **kwargs)


# --- Activities ------------------------------------------------------------------------------------------

_ACTIVITY_WRITE_RESPONSES = {200: s.ActivitySerializer}


@extend_schema_view(
    list=extend_schema(
        summary="List activities",
        description=(
            "Filter with the board's filters. For incremental sync, ask for "
            "`?updated_since=<last sync start minus a minute>&ordering=updated` and de-duplicate by id and "
            "version: a write can commit slightly after its `updated_at`."
        ),
        tags=["activities"],
    ),
    retrieve=extend_schema(summary="One activity", tags=["activities"], parameters=[ETAG],
                           examples=[_ACTIVITY_EXAMPLE]),
    create=extend_schema(summary="Create an activity", tags=["activities"], request=s.ActivityWriteSerializer,
                         responses={201: s.ActivitySerializer}, parameters=[IDEMPOTENCY_KEY, ETAG],
                         examples=[_CREATE_EXAMPLE, _ACTIVITY_EXAMPLE]),
    update=extend_schema(summary="Replace an activity's fields", tags=["activities"],
                         request=s.ActivityWriteSerializer, responses=_ACTIVITY_WRITE_RESPONSES,
                         parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(summary="Change some of an activity's fields", tags=["activities"],
                                 request=s.ActivityWriteSerializer, responses=_ACTIVITY_WRITE_RESPONSES,
                                 parameters=[IF_MATCH, ETAG],
                                 examples=[OpenApiExample("Move the deadline", request_only=True,
                                                          value={"due_date": "2023-10-15",
                                                                 "note": "Postponed by the Council"})]),
    destroy=extend_schema(summary="Delete an activity (coordinators only)", tags=["activities"],
                          parameters=[IF_MATCH]),
)
class ActivityViewSet(viewsets.ModelViewSet):
    serializer_class = s.ActivitySerializer
    filterset_class = ActivityFilter
    lookup_value_converter = "int"
    conditional_writes = True  # tells the schema that writes answer 412 (and 409)

    def get_queryset(self):
        return selectors.activity_records()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Pages are read as plain rows, not model instances: on the API's busiest read, building instances
        # cost more than the database did (docs/performance.md). The representation is the serializer's.
        page = self.paginate_queryset(selectors.activity_rows(self.filter_queryset(Activity.objects.all())))
        states = selectors.participating_state_ids([row["id"] for row in page])
        today = clock.today()
        return self.get_paginated_response(
            [s.represent_row(row, row["presidency_id"], states.get(row["id"], []), today) for row in page]
        )

    def get_object(self) -> Activity:
        # The list's filters do not apply to one activity; a missing one is a plain 404.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        response = Response(self.get_serializer(activity).data)
        response["ETag"] = activity.etag
        return response

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ActivityWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, note = _write_data(serializer)
        activity = services.activity_create(actor=actor_for(request), data=data, note=note)
        return activity_response(activity.pk, status_code=status.HTTP_201_CREATED, location=True)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        activity = self.get_object()
        version = expected_version(request, activity.version)
        serializer = s.ActivityWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes, note = _write_data(serializer)
        services.activity_update(actor=actor_for(request), activity=activity, changes=changes,
                                 expected_version=version, note=note)
        return activity_response(activity.pk)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        version = expected_version(request, activity.version)
        services.activity_delete(actor=actor_for(request), activity=activity, expected_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move an activity to another status",
        description="The workflow decides which moves are allowed; a refused one answers 409 with its reason.",
        tags=["activities"], request=s.TransitionSerializer, responses={200: s.ActivitySerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
        examples=[OpenApiExample("Start work", request_only=True,
                                 value={"status": "in_progress", "note": "Preparations began"})],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @idempotent
    def transition(self, request: Request, pk: str) -> Response:
        activity = self.get_object()
        version = expected_version(request, activity.version)
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activity_transition(
            actor=actor_for(request), activity=activity, status=serializer.validated_data["status"],
            note=serializer.validated_data["note"], expected_version=version,
        )
        return activity_response(activity.pk)

    @extend_schema(
        summary="Confirm the activity's dates as a decision",
        description=("Staff signed in as a person turn the dates' basis (a planning assumption or the source) "
                     "into a decision, recording who and when. API keys of other systems answer 403."),
        tags=["activities"], request=s.ConfirmDatesSerializer, responses={200: s.ActivitySerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
    )
    @action(detail=True, methods=["post"], url_path="confirm-dates", filter_backends=[], pagination_class=None)
    @idempotent
    def confirm_dates(self, request: Request, pk: str) -> Response:
        activity = self.get_object()
        version = expected_version(request, activity.version)
        serializer = s.ConfirmDatesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activity_confirm_dates(
            actor=actor_for(request), activity=activity, note=serializer.validated_data["note"],
            expected_version=version,
        )
        return activity_response(activity.pk)

    @extend_schema(
        methods=["GET"], summary="The activity's progress log, newest first", tags=["activities"],
        responses=s.ProgressUpdateSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"], summary="Report progress",
        description=("Another system's usual write: a progress value, optionally a new status, and a note. "
                     "Each accepted report is logged with channel `api` and the client's name."),
        tags=["activities"], request=s.ProgressReportSerializer, responses={201: s.ProgressReportResultSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
        examples=[OpenApiExample("Report 60%", request_only=True,
                                 value={"progress": 60, "note": "Command post exercise completed"})],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def updates(self, request: Request, pk: str) -> Response:
        if request.method == "POST":
            return self._report_progress(request, pk)
        activity = get_object_or_404(Activity.objects.only("pk"), pk=pk)
        queryset = activity.progress_updates.order_by("-created_at", "-id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ProgressUpdateSerializer(page, many=True).data)

    @idempotent
    def _report_progress(self, request: Request, pk: str) -> Response:
        activity = self.get_object()
        version = expected_version(request, activity.version)
        serializer = s.ProgressReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        updated = services.progress_report(
            actor=actor_for(request), activity=activity, progress=data.get("progress"), status=data.get("status"),
            note=data["note"], expected_version=version,
        )
        update = updated.progress_updates.order_by("-created_at", "-id").first()
        body = s.ProgressReportResultSerializer(update, context={"activity": updated}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = updated.etag
        return response

    @extend_schema(
        summary="The activity's field-level history, newest first", tags=["activities"],
        responses=s.HistoryEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        get_object_or_404(Activity.objects.only("pk"), pk=pk)
        page = self.paginate_queryset(history_records(int(pk)))
        entries = history_entries(int(pk), list(page))
        return self.get_paginated_response(s.HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(
        methods=["GET"], summary="Read an activity by the other system's reference", tags=["sync"],
        responses={200: s.ActivitySerializer}, parameters=[ETAG],
    )
    @extend_schema(
        methods=["PUT"], summary="Create or update an activity by the other system's reference",
        description=("Upsert by `(source, ref)`: 201 when created, 200 when updated. The reference is unique in "
                     "the database, so two simultaneous first calls make one activity. With If-Match the "
                     "update happens only at that version; on a missing activity If-Match answers 412."),
        tags=["sync"], request=s.ActivityByRefSerializer,
        responses={200: s.ActivitySerializer, 201: s.ActivitySerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
    )
    @action(detail=False, methods=["get", "put"], url_path="by-ref/<str:source>/<str:ref>",
            filter_backends=[], pagination_class=None)
    def by_ref(self, request: Request, source: str, ref: str) -> Response:
        _check_reference(source, ref)
        if request.method == "GET":
            activity = get_object_or_404(self.get_queryset(), external_source=source, external_id=ref)
            response = Response(s.ActivitySerializer(activity).data)
            response["ETag"] = activity.etag
            return response
        return self._upsert_by_ref(request, source, ref)

    @idempotent
    def _upsert_by_ref(self, request: Request, source: str, ref: str) -> Response:
        serializer = s.ActivityByRefSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, note = _write_data(serializer)
        current = Activity.objects.filter(external_source=source, external_id=ref).values_list(
            "version", flat=True).first()
        version = expected_version(request, current)
        activity, created = services.activity_upsert_by_ref(
            actor=actor_for(request), source=source, ref=ref, data=data, expected_version=version, note=note,
        )
        return activity_response(activity.pk, status_code=201 if created else 200, location=created)

    @extend_schema(
        summary="Upsert up to 500 activities by reference, all or nothing",
        description=("Each item is an upsert by `(external_source, external_id)` as in PUT by-ref. If any item "
                     "is refused, nothing is saved and the answer lists every bad item by index and field "
                     "(`item_errors`)."),
        tags=["sync"], request=s.BulkRequestSerializer, responses={200: s.BulkResultSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample(
            "Two activities", request_only=True,
            value={"items": [
                {"external_source": "mfa-by", "external_id": "D-17", "priority": 2, "title": "CSTO–China dialogue",
                 "kind": "dialogue", "due_date": "2023-11-30", "responsible_body": 4},
                {"external_source": "mfa-by", "external_id": "D-18", "priority": 2, "title": "Dialogue with India",
                 "kind": "dialogue", "due_date": "2023-12-15", "responsible_body": 4, "progress": 10},
            ], "note": "Nightly sync"},
        )],
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    @idempotent
    def bulk(self, request: Request) -> Response:
        serializer = s.BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = []
        for item in serializer.validated_data["items"]:
            item = dict(item)
            item.pop("note", None)
            items.append(item)
        results = services.activities_bulk_upsert(
            actor=actor_for(request), items=items, note=serializer.validated_data.get("note", ""),
        )
        body = {
            "created": sum(1 for _a, created in results if created),
            "updated": sum(1 for _a, created in results if not created),
            "results": [
                {"index": index, "id": activity.pk, "external_source": activity.external_source,
                 "external_id": activity.external_id, "version": activity.version, "created": created}
                for index, (activity, created) in enumerate(results)
            ],
        }
        return Response(body)


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
class MilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Milestones are an activity's checklist; where there are any, the activity's progress follows them."""

    serializer_class = s.MilestoneSerializer
    filter_backends: list = []
    pagination_class = None
    lookup_value_converter = "int"

    def _activity(self) -> Activity:
        if not hasattr(self, "_activity_cache"):
            self._activity_cache = get_object_or_404(Activity.objects.all(), pk=self.kwargs["activity_pk"])
        return self._activity_cache

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

    @extend_schema(summary="Confirm a milestone and its date as a decision", tags=["milestones"], request=None,
                   responses={200: s.MilestoneSerializer}, parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="confirm-date")
    @idempotent
    def confirm_date(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        updated = services.milestone_confirm_date(actor=actor_for(request), milestone=milestone)
        return Response(self.get_serializer(updated).data)


# --- Webhooks --------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions (coordinators)", tags=["webhooks"]),
    retrieve=extend_schema(summary="One webhook subscription (coordinators)", tags=["webhooks"]),
    create=extend_schema(summary="Subscribe an endpoint to events (coordinators)", tags=["webhooks"],
                         parameters=[IDEMPOTENCY_KEY], responses={201: s.WebhookSubscriptionCreatedSerializer},
                         description="The answer holds the signing secret; it is never shown again."),
    partial_update=extend_schema(summary="Change a webhook subscription (coordinators)", tags=["webhooks"]),
    destroy=extend_schema(summary="Remove a webhook subscription (coordinators)", tags=["webhooks"]),
)
class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Webhook subscriptions are agenda-wide settings: coordinators only, never API keys."""

    serializer_class = s.WebhookSubscriptionSerializer
    permission_classes = [AgendaManagers]
    filter_backends: list = []
    lookup_value_converter = "int"
    queryset = WebhookSubscription.objects.order_by("name", "id")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_create(
            values=serializer.validated_data, via=audit.Via.API, user=request.user
        )
        return Response(s.WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.webhook_subscription_update(
            subscription=subscription, changes=serializer.validated_data, via=audit.Via.API, user=request.user
        )
        return Response(self.get_serializer(subscription).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        services.webhook_subscription_delete(subscription=subscription, via=audit.Via.API, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


__all__ = [
    "ActivityViewSet", "BodyViewSet", "MemberStateViewSet", "MilestoneViewSet",
    "PresidencyViewSet", "PriorityViewSet", "WebhookSubscriptionViewSet",
]
