"""Documents on the web board: the upload forms of an activity, a source and an outcome (a plain multipart
form that works without JavaScript; static/js/documents.js adds drag and drop onto the same file input),
new versions, the access-checked download, and the coordinators' list of deleted activities' documents.

Every rule (who may upload, size, kind, name) is the service's; a refusal is shown next to the upload form
with the status the service's error calls for (403, 400, 413), and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tracker import downloads, permissions, services
from tracker.errors import DomainError, InvalidInput
from tracker.models import Commitment, Document, DocumentVersion, Source
from tracker.selectors import documents as document_selectors
from tracker.web.common import actor_for, status_for, web_login_required
from tracker.web.views import activity as activity_views
from tracker.web.views import commitments as commitment_views


def _refused(request: HttpRequest, error: DomainError, page: Callable[[int], HttpResponse], where: str) -> HttpResponse:
    """Show the owner's page again with the refusal beside its upload form (`where` names the form)."""
    errors = error.errors if isinstance(error, InvalidInput) else {error.field or "file": [error.message]}
    request.document_errors = {"where": where, "errors": errors}  # read by the documents panel
    messages.error(request, error.message)
    return page(status_for(error))


def _upload(request: HttpRequest) -> Any:
    return request.FILES.get("file")


def _document_add(request: HttpRequest, owner: dict[str, Any], page: Callable[[int], HttpResponse],
                  back: HttpResponse) -> HttpResponse:
    """Add a document to its one owner (`owner`: the service's activity=, source= or commitment=); a refusal
    shows the owner's `page` again with it beside the upload form, success goes `back` to the owner."""
    try:
        services.document_add(actor=actor_for(request), upload=_upload(request),
                              title=request.POST.get("title", ""), kind=request.POST.get("kind", ""), **owner)
    except DomainError as error:
        return _refused(request, error, page, "new")
    messages.success(request, _("Document added."))
    return back


@require_POST
@web_login_required
def activity_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_add(request, {"activity": activity_views._load(pk)}, _owner_page(request, activity_id=pk),
                         redirect("web:activity", pk=pk))


@require_POST
@web_login_required
def document_version_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.select_related("activity"), pk=pk)
    actor = actor_for(request)
    if not permissions.can_read_document(actor, activity_deleted=document.activity_deleted):
        raise Http404
    try:
        services.document_add_version(actor=actor, document=document, upload=_upload(request))
    except DomainError as error:
        return _refused(request, error, _owner_page(request, activity_id=document.activity_id,
                                                    source_id=document.source_id,
                                                    commitment_id=document.commitment_id), f"version-{document.pk}")
    messages.success(request, _("New version added; the earlier ones are kept."))
    return _back_to_owner(document)


@require_POST
@web_login_required
def source_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_add(request, {"source": get_object_or_404(Source, pk=pk)}, _owner_page(request, source_id=pk),
                         redirect("web:source", pk=pk))


@require_POST
@web_login_required
def outcome_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_add(request, {"commitment": get_object_or_404(Commitment, pk=pk)},
                         _owner_page(request, commitment_id=pk), redirect("web:commitment", pk=pk))


@require_GET
@web_login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a document, as an attachment, to those who may read it (404 to anyone else)."""
    try:
        version = document_selectors.version_for_download(pk)
    except DocumentVersion.DoesNotExist:
        raise Http404(_("No such document.")) from None
    if not permissions.can_read_document(actor_for(request), activity_deleted=version.document.activity_deleted):
        raise Http404(_("No such document."))
    return downloads.download_response(version)


@require_GET
@web_login_required
def deleted_activity_documents(request: HttpRequest) -> HttpResponse:
    """Coordinators: the documents of deleted activities, kept as history."""
    if not actor_for(request).is_coordinator:
        raise Http404
    return render(request, "tracker/documents/deleted.html", {
        "page": "reports", "documents": document_selectors.deleted_activity_documents()})


def _source_page(request: HttpRequest, pk: int, status: int) -> HttpResponse:
    response = commitment_views.source_detail(request, pk)
    response.status_code = status
    return response


def _owner_page(request: HttpRequest, *, activity_id: int | None = None, source_id: int | None = None,
                commitment_id: int | None = None) -> Callable[[int], HttpResponse]:
    """The page a document's owner is shown on, drawn again with a given status (after a refusal)."""
    if activity_id is not None:
        return lambda status: activity_views._render(request, activity_views._load(activity_id), status=status)
    if source_id is not None:
        return lambda status: _source_page(request, source_id, status)
    if commitment_id is not None:
        return lambda status: commitment_views._render_commitment(
            request, commitment_views._commitment(commitment_id), status=status)
    return lambda status: render(request, "tracker/documents/deleted.html", {
        "page": "reports", "documents": document_selectors.deleted_activity_documents()}, status=status)


def _back_to_owner(document: Document) -> HttpResponse:
    if document.activity_id is not None:
        return redirect("web:activity", pk=document.activity_id)
    if document.source_id is not None:
        return redirect("web:source", pk=document.source_id)
    if document.commitment_id is not None:
        return redirect("web:commitment", pk=document.commitment_id)
    return redirect("web:documents-deleted")
