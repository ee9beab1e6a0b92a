"""Document writes: a new document with its first file, and a new version of a document. Each function
checks the uploader's permission (permissions.py), the file's size and kind (tracker/documents.py), then
stores the file and writes the rows and the outbox event in one transaction.

The file is written first, through the "documents" storage; if anything after that fails (a refused row,
a lost database, an interrupted request) the transaction rolls back and the file is deleted again, so an
interrupted upload leaves neither a row nor an orphan file.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import clock, events, permissions
from tracker import documents as rules
from tracker.errors import InvalidInput, TooLarge
from tracker.models import Activity, Commitment, Document, DocumentKind, DocumentOwner, DocumentVersion, Source
from tracker.models.documents import documents_storage
from tracker.permissions import Actor
from tracker.services import store
from tracker.validators import single_line

logger = logging.getLogger(__name__)

#: The kinds offered for an activity's documents (sources and outcomes have their own).
ACTIVITY_KINDS = (DocumentKind.CONCEPT_NOTE, DocumentKind.AGENDA, DocumentKind.MINUTES, DocumentKind.REPORT,
                  DocumentKind.OTHER)
SOURCE_KINDS = (DocumentKind.OFFICIAL_TEXT, DocumentKind.OTHER)
OUTCOME_KINDS = (DocumentKind.EVIDENCE, DocumentKind.REPORT, DocumentKind.MINUTES, DocumentKind.OTHER)


class Upload(Protocol):
    """What the doors hand in: Django's UploadedFile (web, API) or any named binary file."""

    name: str
    size: int

    def seek(self, offset: int, whence: int = ...) -> int: ...
    def read(self, size: int = ...) -> bytes: ...


def document_add(
    *,
    actor: Actor,
    upload: Upload | None,
    title: str,
    kind: str,
    activity: Activity | None = None,
    source: Source | None = None,
    commitment: Commitment | None = None,
) -> DocumentVersion:
    """A new document on exactly one of `activity`, `source` or `commitment` (its outcome's evidence),
    with `upload` as version 1."""
    owners = [o for o in (activity, source, commitment) if o is not None]
    if len(owners) != 1:
        raise InvalidInput({"owner": [_("A document belongs to one activity, source or outcome.")]})
    owner = DocumentOwner.ACTIVITY if activity else DocumentOwner.SOURCE if source else DocumentOwner.OUTCOME
    if activity is not None:
        permissions.ensure_can_upload_document(actor, activity=activity)
    else:
        permissions.ensure_can_upload_document(actor, for_commitments=True)
    title = (title or "").strip()
    errors = _check_title_and_kind(title, kind, owner)
    file_type = _check_file(upload, errors)
    assert upload is not None and file_type is not None
    stored = _store(upload, file_type, f"{owner}/{owners[0].pk}")
    try:
        with transaction.atomic():
            if activity is not None:
                activity = store.lock(activity, None)  # waits for a concurrent delete; refuses a gone activity
                permissions.ensure_can_upload_document(actor, activity=activity)
            document = Document.objects.create(
                owner=owner, activity=activity, source=source, commitment=commitment,
                activity_ref=activity.pk if activity else None,
                activity_title=activity.title[:300] if activity else "",
                title=title, kind=kind, created_at=clock.now(), created_by=actor.user,
                created_by_name=actor.name[:150], version_count=0,
            )
            return _add_version(actor, document, upload, file_type, stored)
    except BaseException:
        _discard(stored)
        raise


def document_add_version(*, actor: Actor, document: Document, upload: Upload | None) -> DocumentVersion:
    """A new version of `document`; the older versions stay, downloadable."""
    _ensure_can_change(actor, document)
    file_type = _check_file(upload, {})
    assert upload is not None and file_type is not None
    owner_pk = document.activity_id or document.source_id or document.commitment_id
    stored = _store(upload, file_type, f"{document.owner}/{owner_pk}")
    try:
        with transaction.atomic():
            if document.activity_id is not None:
                activity = store.lock(document.activity, None)
                permissions.ensure_can_upload_document(actor, activity=activity)
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if locked.activity_deleted:
                permissions.ensure_can_upload_document(actor, activity=None)
            return _add_version(actor, locked, upload, file_type, stored)
    except BaseException:
        _discard(stored)
        raise


def _ensure_can_change(actor: Actor, document: Document) -> None:
    if document.owner == DocumentOwner.ACTIVITY:
        permissions.ensure_can_upload_document(actor, activity=document.activity)
    else:
        permissions.ensure_can_upload_document(actor, for_commitments=True)


def _check_title_and_kind(title: str, kind: str, owner: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the document a title.")]
    elif len(title) > 200:
        errors["title"] = [_("A title has at most 200 characters.")]
    else:
        try:
            single_line(title)
        except ValidationError as exc:
            errors["title"] = list(exc.messages)
    allowed = {DocumentOwner.ACTIVITY: ACTIVITY_KINDS, DocumentOwner.SOURCE: SOURCE_KINDS,
               DocumentOwner.OUTCOME: OUTCOME_KINDS}[owner]
    if kind not in [str(k) for k in allowed]:
        errors["kind"] = [_("Choose a kind: %(choices)s.") % {"choices": ", ".join(str(k.label) for k in allowed)}]
    return errors


def _check_file(upload: Upload | None, errors: dict[str, list[str]]) -> rules.FileType | None:
    """The size and the kind of the file, with the other fields' errors; raises before anything is stored."""
    if upload is None or (not getattr(upload, "name", None) and not getattr(upload, "size", 0)):
        errors["file"] = [_("Choose a file to upload.")]
        raise InvalidInput(errors)
    limit = rules.max_bytes()
    if upload.size > limit:
        raise TooLarge(_("The file has %(size)s; documents may be at most %(limit)s.") % {
            "size": rules.human_size(upload.size), "limit": rules.human_size(limit)}, limit=limit)
    if upload.size == 0:
        errors["file"] = [_("The file is empty.")]
        raise InvalidInput(errors)
    file_type = rules.sniff(upload)
    if file_type is None:
        errors["file"] = [_("This kind of file is not accepted. Allowed kinds: %(kinds)s.") % {
            "kinds": rules.allowed_kinds_text()}]
    if errors:
        raise InvalidInput(errors)
    return file_type


#: The files stored inside a stored_files_checked() block (None outside one).
_stored_in_block: ContextVar[list[str] | None] = ContextVar("documents_stored_in_block", default=None)


@contextmanager
def stored_files_checked() -> Iterator[None]:
    """For a door that runs these services inside a transaction of its own (the API's Idempotency-Key wraps
    the work and its stored answer in one, and may run it again after a deadlock): when the block ends,
    every file stored inside it whose row is not in the database (its transaction rolled back) is deleted."""
    names: list[str] = []
    token = _stored_in_block.set(names)
    try:
        yield
    finally:
        _stored_in_block.reset(token)
        if names:
            kept = set(DocumentVersion.objects.filter(stored_name__in=names).values_list("stored_name", flat=True))
            for name in names:
                if name not in kept:
                    _discard(name)


def _store(upload: Upload, file_type: rules.FileType, folder: str) -> str:
    """Write the file under a name of our own (never the uploader's) and return that name."""
    upload.seek(0)
    name = documents_storage().save(f"{folder}/{uuid.uuid4().hex}{file_type.extensions[0]}", upload)
    block = _stored_in_block.get()
    if block is not None:
        block.append(name)
    return name


def _discard(stored: str) -> None:
    try:
        documents_storage().delete(stored)
    except Exception:  # the original error matters more; the file is logged for the operator
        logger.exception("Could not delete the stored document file %s after a failed upload", stored)


def _add_version(actor: Actor, document: Document, upload: Upload, file_type: rules.FileType,
                 stored: str) -> DocumentVersion:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    number = document.version_count + 1
    version = DocumentVersion.objects.create(
        document=document, number=number, stored_name=stored,
        file_name=rules.clean_file_name(upload.name, file_type), file_type=file_type.code,
        content_type=file_type.content_type, size=upload.size, sha256=digest.hexdigest(),
        uploaded_at=clock.now(), uploaded_by=actor.user, uploaded_by_name=actor.name[:150], channel=actor.channel,
    )
    Document.objects.filter(pk=document.pk).update(version_count=number)
    document.version_count = number
    if document.activity_id is not None:
        events.emit(events.DOCUMENT_ADDED, document.activity, {
            "document": {"id": document.pk, "title": document.title, "kind": document.kind, "version": number,
                         "file_name": version.file_name, "size": version.size},
            "by": actor.name,
        })
    return version


def open_version(version: DocumentVersion) -> IO[bytes]:
    """The stored file, for the download views."""
    return documents_storage().open(version.stored_name, "rb")
