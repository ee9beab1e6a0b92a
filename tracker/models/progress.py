"""An activity's milestones and its append-only progress log (with the channel a change came through)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models.agenda import Activity, DatedBasisMixin, Presidency
from tracker.models.base import localized
from tracker.validators import single_line
from tracker.workflow import Status


class MilestoneManager(models.Manager):
    def get_by_natural_key(self, activity_code: str, order: int) -> Milestone:
        return self.get(activity__code=activity_code, order=order)


class Milestone(DatedBasisMixin, models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="milestones"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=300, validators=[single_line])
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, validators=[single_line])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = MilestoneManager()

    class Meta:
        ordering = ["activity", "order", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["activity", "order"], name="milestone_order_unique_in_activity")
        ]

    def __str__(self) -> str:
        return self.display_title

    def natural_key(self) -> tuple:
        return (*self.activity.natural_key(), self.order)

    natural_key.dependencies = ["tracker.activity"]

    @property
    def display_title(self) -> str:
        return localized(self, "title")


class Channel(models.TextChoices):
    WEB = "web", _("Web board")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")


class ProgressUpdate(models.Model):
    """Append-only log: one row per change of an activity's status, progress or due date."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="progress_updates"
    )
    # The activity's presidency, kept on the row so "latest updates of a presidency" is one index range
    # instead of a walk of the whole log joined to activities (docs/performance.md). Follows the activity
    # if its priority moves to another presidency (services.planner).
    presidency = models.ForeignKey(
        Presidency, verbose_name=_("presidency"), null=True, blank=True, editable=False,
        on_delete=models.CASCADE, related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    api_client = models.ForeignKey(
        "tracker.ApiClient", verbose_name=_("API client"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("who"), max_length=150)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    old_status = models.CharField(_("old status"), max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(_("new status"), max_length=20, choices=Status.choices, blank=True)
    old_progress = models.PositiveSmallIntegerField(_("old progress"), null=True, blank=True)
    new_progress = models.PositiveSmallIntegerField(_("new progress"), null=True, blank=True)
    old_due_date = models.DateField(_("old due date"), null=True, blank=True)
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("What the person wrote."))
    # What the tracker itself records, as data rendered in the reader's language (tracker/logtext.py).
    event = models.CharField(_("event"), max_length=40, blank=True)
    event_params = models.JSONField(_("event parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [
            models.Index(fields=["activity", "-created_at"], name="progressupdate_activity_time"),
            models.Index(fields=["presidency", "-created_at", "-id"], name="progressupdate_presidency_time"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} by {self.actor_name} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.presidency_id is None and self.activity_id is not None:
            self.presidency_id = self.activity.priority.presidency_id
        super().save(*args, **kwargs)

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status

    @property
    def fields_changed(self) -> bool:
        return (self.old_status != self.new_status or self.old_progress != self.new_progress
                or self.old_due_date != self.new_due_date)

    @property
    def event_text(self) -> str:
        """The tracker's own note, in the reader's language."""
        from tracker import logtext

        return logtext.describe(self.event, self.event_params)

    @property
    def display_note(self) -> str:
        """The tracker's note and the person's, as one text (the API's `note`)."""
        return "; ".join(part for part in (self.event_text, self.note) if part)
