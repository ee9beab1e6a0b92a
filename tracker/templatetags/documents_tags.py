"""The documents panel, one include for the activity, source and commitment (outcome) pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from tracker import documents as rules
from tracker import permissions
from tracker.models import Activity, Commitment, Presidency, Source
from tracker.selectors import documents as document_selectors
from tracker.services.documents import ACTIVITY_KINDS, OUTCOME_KINDS, SOURCE_KINDS
from tracker.web.common import actor_for

register = template.Library()


@register.inclusion_tag("tracker/documents/panel.html", takes_context=True)
def documents_panel(context: template.Context, owner: Activity | Source | Commitment) -> dict[str, Any]:
    """Two queries (documents, versions) whatever their number."""
    request = context["request"]
    actor = actor_for(request)
    if isinstance(owner, Activity):
        documents = document_selectors.activity_documents(owner)
        may_upload = permissions.can_upload_document(actor, activity=owner)
        add_url, kinds, panel = reverse("web:activity-document-add", args=[owner.pk]), ACTIVITY_KINDS, "activity"
    elif isinstance(owner, Source):
        documents = document_selectors.source_documents(owner)
        may_upload = permissions.can_upload_document(actor, for_commitments=True)
        add_url, kinds, panel = reverse("web:source-document-add", args=[owner.pk]), SOURCE_KINDS, "source"
    else:
        documents = document_selectors.outcome_documents(owner)
        may_upload = permissions.can_upload_document(actor, for_commitments=True)
        add_url, kinds, panel = reverse("web:outcome-document-add", args=[owner.pk]), OUTCOME_KINDS, "outcome"
    refusal = getattr(request, "document_errors", None) or {}
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "panel": panel,
        "documents": documents,
        "may_upload": may_upload,
        "add_url": add_url,
        "kinds": kinds,
        "errors": refusal.get("errors", {}),
        "errors_where": refusal.get("where", ""),
        "posted": request.POST if request.method == "POST" else {},
        "max_size": rules.human_size(rules.max_bytes()),
        "max_bytes": rules.max_bytes(),
        "allowed_kinds": rules.allowed_kinds_text(),
        "accept": ",".join(ext for t in rules.ALLOWED for ext in t.extensions),
    }


@register.inclusion_tag("tracker/documents/annex.html")
def year_report_annex(presidency: Presidency | None) -> dict[str, Any]:
    """The year report's annex: the documents of the year's activities (two queries)."""
    return {"documents": document_selectors.annex_documents(presidency)}


@register.filter
def file_size(size: int) -> str:
    return rules.human_size(int(size))


@register.filter
def sees_deleted_documents(request: Any) -> bool:
    """Coordinators keep the documents of deleted activities (permissions.can_read_document)."""
    return permissions.can_read_document(actor_for(request), activity_deleted=True)
