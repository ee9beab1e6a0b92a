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


class EmailState(models.TextChoices):
    """Where a notification's e-mail stands (tracker/notification_email.py): pending until a sender claims it
    for a short lease (sending); sent; skipped (not wanted, no address, read before the digest); failed after
    the last attempt. A claim whose lease ran out is taken over by the sweep, so no e-mail is lost."""

    PENDING = "pending", _("Waiting to be e-mailed")
    SENDING = "sending", _("Being e-mailed")
    SENT = "sent", _("E-mailed")
    SKIPPED = "skipped", _("Not e-mailed")
    FAILED = "failed", _("E-mail failed")


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
    #: When the e-mail was sent (None until it is).
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    #: How the recipient wanted to hear of it, decided when it was made: at once, in the digest, or never.
    email_choice = models.CharField(_("e-mail"), max_length=10, choices=EmailChoice.choices,
                                    default=EmailChoice.NEVER)
    email_state = models.CharField(_("e-mail state"), max_length=10, choices=EmailState.choices,
                                   default=EmailState.SKIPPED)
    #: While sending: when the claim lapses; while pending after a failure: not before this time.
    email_lease_until = models.DateTimeField(_("e-mail lease until"), null=True, blank=True)
    #: The claim's token: the sender that claimed a batch reads back exactly its own rows.
    email_claim = models.UUIDField(_("e-mail claim"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_id"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # The sweep's and the digest's read: the rows still to e-mail, small however large the inbox.
            models.Index(fields=["email_state", "email_lease_until"], name="notification_email_queue",
                         condition=models.Q(email_state__in=["pending", "sending"])),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.activity_title}"


class WatchOptOut(models.Model):
    """A person who said "stop watching": the automatic watching (owner, contributors, commenters, mentioned)
    yields to it until they watch again (tracker/services/people.activity_watch)."""

    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), on_delete=models.CASCADE, related_name="watch_opt_outs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("since"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="watch_opt_out_once")]
        verbose_name = _("stopped watching")
        verbose_name_plural = _("stopped watching")

    def __str__(self) -> str:
        return f"{self.user} stopped watching #{self.activity_id}"


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
