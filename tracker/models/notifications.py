"""Notifications made from the outbox (tracker/notifications.py), each person's preferences, and saved
views of the board (issue 13)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.validators import single_line


class NotificationKind(models.TextChoices):
    COMMENT = "comment", _("Comments")
    MENTION = "mention", _("Mentions")
    STATUS = "status", _("Status changes")
    DUE_DATE = "due_date", _("Due date changes")
    MILESTONE = "milestone", _("Milestones completed")
    DOCUMENT = "document", _("Documents added")
    OVERDUE = "overdue", _("Activity overdue")
    WAITING = "waiting", _("Waiting on another activity")
    WEBHOOK = "webhook", _("Webhook subscriptions switched off")


class EmailChoice(models.TextChoices):
    NOW = "now", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest")
    NEVER = "never", _("Never by e-mail")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    #: The outbox event this was made from: with the recipient, unique, so a redelivered event makes none.
    event_id = models.UUIDField(_("event"))
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    activity_title = models.CharField(_("activity title"), max_length=300, blank=True)
    comment = models.ForeignKey(
        "tracker.Comment", verbose_name=_("comment"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The event's particulars (new status, dates, who), worded in the reader's language by logtext.
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_id"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.activity_title}"


class NotificationPreference(models.Model):
    """How a person hears of one kind of event besides the inbox (which always has it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    email = models.CharField(_("e-mail"), max_length=10, choices=EmailChoice.choices, default=EmailChoice.NOW)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_once")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.email}"


class SavedView(models.Model):
    """A board's filters under a name; private, or shared with everyone."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=100, validators=[single_line])
    query = models.CharField(_("filters"), max_length=1000, blank=True, validators=[single_line])
    shared = models.BooleanField(_("shared with everyone"), default=False)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_once")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
