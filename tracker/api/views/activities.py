"""Activities: the list, reads by id and by reference, writes, reports, transitions, history, bulk."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import router
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from tracker import clock, selectors, services
from tracker.api import list_params
from tracker.api import serializers as s
from tracker.api.access import actor_for
from tracker.api.history import history_entries
from tracker.api.idempotency import idempotent
from tracker.api.schema import IDEMPOTENCY_KEY, IF_MATCH
from tracker.api.views.common import (
    ACTIVITY_EXAMPLE,
    CREATE_EXAMPLE,
    ETAG,
    activity_response,
    check_reference,
    expected_version,
    write_data,
)
from tracker.filters import ActivityFilter
from tracker.history import records as history_records
from tracker.models import Activity
from tracker.selectors.arrays import StatementCache

# --- Activities ------------------------------------------------------------------------------------------

_ACTIVITY_WRITE_RESPONSES = {200: s.ActivitySerializer}
#: First pages' compiled statements, reused for a few seconds (selectors.arrays.StatementCache).
_FIRST_PAGES = StatementCache(seconds=lambda: settings.API_STATEMENT_CACHE_SECONDS)


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
                           examples=[ACTIVITY_EXAMPLE]),
    create=extend_schema(summary="Create an activity", tags=["activities"], request=s.ActivityWriteSerializer,
                         responses={201: s.ActivitySerializer}, parameters=[IDEMPOTENCY_KEY, ETAG],
                         examples=[CREATE_EXAMPLE, ACTIVITY_EXAMPLE]),
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
        # The states come in the rows' own statement (an array subquery), so a page is one query, plus the
        # count only when asked for (?count=true) or paged by number.
        # A plain first page asked for again within seconds runs its remembered statement: building and
        # compiling it through the FilterSet cost several times what the database took.
        key = self.paginator.first_page_key(request)
        now = time.monotonic()
        using = router.db_for_read(Activity)
        found = _FIRST_PAGES.rows(key, using, now) if key is not None else None
        if found is None:
            # Another first page, or a cursor page: the parameters read by the FilterSet's fields, the
            # statement compiled once per filter shape (tracker/api/list_params.py); None when unsure.
            keep = None if key is None else (lambda *statement: _FIRST_PAGES.keep(key, using, now, *statement))
            found = list_params.page_rows(request, self.paginator, keep)
        if found is not None:
            page = self.paginator.take_first_page(request, *found)
        else:
            rows = selectors.activity_rows_with_states(self.filter_queryset(Activity.objects.all()))
            page = self.paginate_queryset(rows)
            if key is not None and self.paginator._keyset is not None and rows.db == using:
                _FIRST_PAGES.remember(key, self.paginator.first_page_statement(rows, request), now,
                                      self.paginator._keyset)
        today, zone = clock.today(), timezone.get_current_timezone()
        return self.get_paginated_response(
            [s.represent_row(row, row["presidency_id"], row["state_ids"], today, zone) for row in page]
        )

    def get_object(self) -> Activity:
        # The list's filters do not apply to one activity; a missing one is a plain 404.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # One statement: the row, its presidency and its states' ids; represented as the list represents it.
        row = selectors.activity_row(self.kwargs["pk"])
        if row is None:
            raise Http404
        response = Response(s.represent_row(row, row["presidency_id"], row["state_ids"], clock.today()))
        response["ETag"] = f'"{row["version"]}"'  # Activity.etag, without building the instance
        return response

    def _write_input(self, serializer_class: type[Serializer], **options: Any) -> tuple[
            Activity, int | None, Serializer]:
        """A write's activity (404), then the version its If-Match names, then its body checked (400): every
        write to one activity answers in this order."""
        activity = self.get_object()
        version = expected_version(self.request, activity.version)
        serializer = serializer_class(data=self.request.data, **options)
        serializer.is_valid(raise_exception=True)
        return activity, version, serializer

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ActivityWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, note = write_data(serializer)
        activity = services.activity_create(actor=actor_for(request), data=data, note=note)
        return activity_response(activity.pk, status_code=status.HTTP_201_CREATED, location=True)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        activity, version, serializer = self._write_input(s.ActivityWriteSerializer, partial=partial)
        changes, note = write_data(serializer)
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
        activity, version, serializer = self._write_input(s.TransitionSerializer)
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
        activity, version, serializer = self._write_input(s.ConfirmDatesSerializer)
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
        activity, version, serializer = self._write_input(s.ProgressReportSerializer)
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
        check_reference(source, ref)
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
        data, note = write_data(serializer)
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
