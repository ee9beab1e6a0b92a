"""Files attached to the agenda: an activity's concept notes, agendas, minutes and reports, the official
text of a commitment's source, and the evidence of a commitment's outcome. A Document is the named thing;
each upload is a DocumentVersion, and a new version never replaces the older ones."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.agenda import Activity
from tracker.models.commitments import Commitment, Source
from tracker.models.progress import Channel
from tracker.validators import single_line


def documents_storage() -> Storage:
    """The "documents" alias of settings.STORAGES (the file system by default, S3 when configured); looked
    up at each use, so a changed setting takes effect at once."""
    return storages["documents"]


class DocumentKind(models.TextChoices):
    CONCEPT_NOTE = "concept_note", _("Concept note")
    AGENDA = "agenda", _("Agenda")
    MINUTES = "minutes", _("Minutes")
    REPORT = "report", _("Report")
    OFFICIAL_TEXT = "official_text", _("Official text")
    EVIDENCE = "evidence", _("Evidence")
    OTHER = "other", _("Other")


class DocumentOwner(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    SOURCE = "source", _("Source")
    OUTCOME = "outcome", _("Commitment outcome")


class Document(models.Model):
    """One document with its versions. It belongs to an activity, a source, or a commitment's outcome
    (`owner` says which; a check constraint holds the matching key). When the activity is deleted the
    document stays, with the activity's id and title, for the coordinators' history."""

    owner = models.CharField(_("attached to"), max_length=10, choices=DocumentOwner.choices)
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="documents",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="documents",
    )
    #: The activity's id and title as they were; kept when the activity is deleted.
    activity_ref = models.PositiveIntegerField(_("activity id"), null=True, blank=True, db_index=True)
    activity_title = models.CharField(_("activity title"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    created_at = models.DateTimeField(_("added"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField(_("added by"), max_length=150)
    version_count = models.PositiveIntegerField(_("versions"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["activity", "-created_at"], name="document_activity_time")]
        constraints = [
            # Exactly the key its owner names (an activity's key may be gone: the activity was deleted).
            models.CheckConstraint(
                condition=(
                    models.Q(owner="activity", source__isnull=True, commitment__isnull=True,
                             activity_ref__isnull=False)
                    | models.Q(owner="source", source__isnull=False, commitment__isnull=True,
                               activity__isnull=True)
                    | models.Q(owner="outcome", commitment__isnull=False, source__isnull=True,
                               activity__isnull=True)
                ),
                name="document_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_deleted(self) -> bool:
        return self.owner == DocumentOwner.ACTIVITY and self.activity_id is None


class DocumentVersion(models.Model):
    """One uploaded file of a document; `number` counts from 1 within the document."""

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    #: The file's name in the "documents" storage (never a public URL: downloads go through a view).
    stored_name = models.CharField(_("stored as"), max_length=300, unique=True)
    file_name = models.CharField(_("file name"), max_length=200)
    file_type = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} (v{self.number})"
