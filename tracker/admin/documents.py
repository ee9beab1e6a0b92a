"""Documents for coordinators (issue 13): every document with its versions, those of deleted activities
included. Read only: files are uploaded on the board and through the API, where their size and kind are
checked (tracker/services/documents.py). A version is fetched through the access-checked download view
(web:document-download, which sends it as an attachment), never from a storage URL."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.admin.base import NobodyWrites, ReadOnlyAdmin, RoleGatedInline
from tracker.models import Document, DocumentVersion


def _download(version: DocumentVersion) -> str:
    url = reverse("web:document-download", args=[version.pk])
    return format_html('<a href="{}">{}</a>', url, _("Download"))


class DocumentVersionInline(NobodyWrites, RoleGatedInline, admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ["number", "file_name", "file_type", "size", "uploaded_at", "uploaded_by_name", "channel", "sha256",
              "download"]
    readonly_fields = fields
    ordering = ["-number"]

    @admin.display(description=_("file"))
    def download(self, version: DocumentVersion) -> str:
        return _download(version)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "owner", "attached_to", "version_count", "created_at", "created_by_name",
                    "latest"]
    list_filter = ["kind", "owner", ("activity", admin.EmptyFieldListFilter)]
    search_fields = ["title", "activity_title", "versions__file_name"]
    date_hierarchy = "created_at"
    fields = ["title", "kind", "owner", "attached_to", "activity_ref", "created_at", "created_by_name",
              "version_count"]
    readonly_fields = fields
    inlines = [DocumentVersionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        newest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values("pk")[:1]
        return (super().get_queryset(request).select_related("activity", "source", "commitment")
                .annotate(latest_version_id=Subquery(newest)))

    @admin.display(description=_("attached to"))
    def attached_to(self, document: Document) -> str:
        if document.activity_deleted:
            return _("%(title)s (deleted activity #%(id)s)") % {"title": document.activity_title,
                                                                 "id": document.activity_ref}
        return str(document.activity or document.source or document.commitment or "")

    @admin.display(description=_("latest version"))
    def latest(self, document: Document) -> str:
        version_id = getattr(document, "latest_version_id", None)  # read with the rows (get_queryset)
        if version_id is None:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("web:document-download", args=[version_id]), _("Download"))
