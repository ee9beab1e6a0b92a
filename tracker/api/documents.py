"""An activity's documents over the API: list, multipart upload (a new document or a new version) and the
download of any version. Writes go through tracker/services/documents.py, which checks who may upload, the
size (413 naming the limit) and the kind from the content (400 naming the allowed kinds)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import documents as rules
from tracker import downloads, permissions, services
from tracker.api.access import actor_for
from tracker.api.idempotency import idempotent
from tracker.api.nested import UnderActivity
from tracker.api.parsers import SafeJSONParser
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.api.serializers.strict import StrictInputMixin
from tracker.models import Document, DocumentKind, DocumentVersion
from tracker.selectors import documents as document_selectors
from tracker.services.documents import ACTIVITY_KINDS
from tracker.validators import plain_digits

ACTIVITY_PK = OpenApiParameter("activity_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                               description="The activity's id.")
VERSION = OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                           description="The version to download (1, 2, ...); the newest without it.")


class DocumentVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    file_name = serializers.CharField(read_only=True)
    file_type = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, version: DocumentVersion) -> str:
        return reverse("api:activity-document-download", kwargs={
            "activity_pk": version.document.activity_id, "pk": version.document_id}) + f"?version={version.number}"


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    activity = serializers.IntegerField(source="activity_id", read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    created_by = serializers.CharField(source="created_by_name", read_only=True)
    version_count = serializers.IntegerField(read_only=True)
    versions = DocumentVersionSerializer(source="all_versions", many=True, read_only=True)


class DocumentUploadSerializer(StrictInputMixin, serializers.Serializer):
    """Only the shape is checked here; the service checks the values (one place for each rule)."""

    title = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=[(str(k), k.label) for k in ACTIVITY_KINDS])
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class VersionUploadSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)


@extend_schema_view(
    list=extend_schema(summary="An activity's documents with their versions", tags=["documents"],
                       parameters=[ACTIVITY_PK]),
    retrieve=extend_schema(summary="One document with its versions", tags=["documents"], parameters=[ACTIVITY_PK]),
)
class ActivityDocumentViewSet(UnderActivity, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Concept notes, agendas, minutes and reports of an activity. Upload with multipart/form-data."""

    serializer_class = DocumentSerializer
    filter_backends: list = []
    pagination_class = None
    lookup_value_converter = "int"

    # Uploads are multipart; a JSON body is read too, so that it is refused by field ("file") rather than 415.
    parser_classes = [MultiPartParser, SafeJSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return document_selectors.activity_documents(self._activity())

    def get_object(self) -> Document:
        pk = int(self.kwargs["pk"])
        for document in self.get_queryset():
            if document.pk == pk:
                return document
        raise Http404(_("No such document."))

    @extend_schema(summary="Upload a document (multipart/form-data: title, kind, file)", tags=["documents"],
                   parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY], request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer, 413: OpenApiResponse(description="The file is too large.")})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with services.documents.stored_files_checked():  # Idempotency-Key runs the upload in its transaction
            return self._create(request)

    @idempotent
    def _create(self, request: Request) -> Response:
        activity = self._activity()
        permissions.ensure_can_upload_document(actor_for(request), activity=activity)  # before reading input
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = services.document_add(actor=actor_for(request), activity=activity, upload=data["file"],
                                        title=data["title"], kind=data["kind"])
        return self._document_response(version.document_id, status.HTTP_201_CREATED)

    @extend_schema(summary="Upload a new version of a document (multipart/form-data: file)", tags=["documents"],
                   parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY], request={"multipart/form-data": VersionUploadSerializer},
                   responses={201: DocumentSerializer, 413: OpenApiResponse(description="The file is too large.")})
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with services.documents.stored_files_checked():
            return self._add_version(request)

    @idempotent
    def _add_version(self, request: Request) -> Response:
        document = self.get_object()
        permissions.ensure_can_upload_document(actor_for(request), activity=self._activity())
        serializer = VersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.document_add_version(actor=actor_for(request), document=document,
                                      upload=serializer.validated_data["file"])
        return self._document_response(document.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Download a version of a document (an attachment)", tags=["documents"],
                   parameters=[ACTIVITY_PK, VERSION],
                   responses={(200, kind.content_type): OpenApiTypes.BINARY for kind in rules.ALLOWED})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_object()
        raw = request.query_params.get("version")
        if raw is None:
            version = document.all_versions[0]
        else:
            if not plain_digits(raw) or len(raw) > 9:
                raise serializers.ValidationError({"version": [_("A version is a whole number, e.g. 2.")]})
            version = next((v for v in document.all_versions if v.number == int(raw)), None)
            if version is None:
                raise Http404(_("No such version."))
        version.document = document
        return downloads.download_response(version)

    def _document_response(self, pk: int, code: int) -> Response:
        document = next(d for d in document_selectors.activity_documents(self._activity()) if d.pk == pk)
        return Response(DocumentSerializer(document).data, status=code)
