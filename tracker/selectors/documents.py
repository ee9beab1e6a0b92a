"""Documents as the pages and the API list them, each list in two queries (documents, then their
versions), whatever the number of either."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tracker.models import Activity, Commitment, Document, DocumentOwner, DocumentVersion, Presidency, Source


def _with_versions(documents: QuerySet[Document]) -> list[Document]:
    versions = DocumentVersion.objects.order_by("-number")
    return list(documents.prefetch_related(Prefetch("versions", queryset=versions, to_attr="all_versions")))


def activity_documents(activity: Activity | int) -> list[Document]:
    """An activity's documents, newest first, each with `all_versions` (newest first)."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    return _with_versions(Document.objects.filter(activity_id=pk).order_by("-created_at", "-id"))


def source_documents(source: Source) -> list[Document]:
    return _with_versions(Document.objects.filter(source=source).order_by("-created_at", "-id"))


def outcome_documents(commitment: Commitment) -> list[Document]:
    return _with_versions(Document.objects.filter(commitment=commitment).order_by("-created_at", "-id"))


def deleted_activity_documents() -> list[Document]:
    """Documents whose activity was deleted: the coordinators' history."""
    return _with_versions(
        Document.objects.filter(owner=DocumentOwner.ACTIVITY, activity__isnull=True).order_by("-created_at", "-id")
    )


def annex_documents(presidency: Presidency | None) -> list[Document]:
    """The year report's annex: every document of the presidency's activities, by activity then title,
    with `all_versions` (the newest first)."""
    documents = Document.objects.filter(activity__isnull=False).select_related("activity")
    if presidency is not None:
        documents = documents.filter(activity__priority__presidency=presidency)
    return _with_versions(documents.order_by("activity__priority__number", "activity__title", "title", "id"))


def version_for_download(pk: int) -> DocumentVersion:
    """One version with its document (one query); raises DocumentVersion.DoesNotExist."""
    return DocumentVersion.objects.select_related("document").get(pk=pk)
