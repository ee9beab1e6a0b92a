"""The one way a stored document leaves the system, shared by the web board and the API: after the door
has checked access, as an attachment (never displayed inline, never sniffed by the browser), either
streamed by Django or handed to nginx with X-Accel-Redirect (DOCUMENTS_X_ACCEL_REDIRECT_PREFIX)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.encoding import iri_to_uri

from tracker.models import DocumentVersion
from tracker.services.documents import open_version


def download_response(version: DocumentVersion) -> HttpResponse:
    prefix = settings.DOCUMENTS_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=version.content_type)
        response["X-Accel-Redirect"] = iri_to_uri(prefix.rstrip("/") + "/" + quote(version.stored_name))
        response["Content-Disposition"] = _disposition(version.file_name)
    else:
        response = FileResponse(open_version(version), as_attachment=True, filename=version.file_name,
                                content_type=version.content_type)
        response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _disposition(file_name: str) -> str:
    ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
