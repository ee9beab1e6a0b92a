"""Background work's own records: webhook deliveries and their attempts, once-only email ledgers, the
overdue events already emitted, daily snapshots of the roll-up, and the workers' heartbeat.

Each ledger has a unique constraint that a job claims *before* it acts, so that a job run twice, or by two
workers at once, acts once. See tracker/jobs/ and docs/operations.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookDelivery(models.Model):
    """One event for one subscription: sent until it succeeds, fails for good, or is cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        "tracker.OutboxEvent", verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        "tracker.WebhookSubscription", verbose_name=_("subscription"), on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    #: When the current retry window opened (the first attempt, or a resend); retries stop a window later.
    window_started_at = models.DateTimeField(_("retrying since"), null=True, blank=True)
    #: A worker sending this delivery holds it until then; another worker may take it over afterwards.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    lease_token = models.UUIDField(_("lease token"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhookdelivery_once_per_subscription")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """Every HTTP request made for a delivery, with what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"#{self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class EmailLedger(models.Model):
    """Common fields of the once-only email ledgers: a row is claimed before sending, marked sent after."""

    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    skipped = models.BooleanField(_("nothing to send"), default=False)

    class Meta:
        abstract = True


class ReminderLog(EmailLedger):
    """A deadline reminder for one activity, deadline, threshold and recipient: sent once."""

    class Threshold(models.TextChoices):
        DAYS_14 = "14d", _("14 days before")
        DAYS_7 = "7d", _("7 days before")
        DAYS_1 = "1d", _("1 day before")
        OVERDUE = "overdue", _("Deadline passed")

    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField(_("due date"))
    threshold = models.CharField(_("threshold"), max_length=10, choices=Threshold.choices)
    recipient = models.EmailField(_("recipient"))

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "due_date", "threshold", "recipient"], name="reminderlog_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.threshold} → {self.recipient}"


class DigestLog(EmailLedger):
    """A staff member's weekly digest for one week: sent once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    week_start = models.DateField(_("week of"))

    class Meta:
        ordering = ["-week_start", "-id"]
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="digestlog_once_a_week")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week_start}"


class OverdueNotice(models.Model):
    """The activity.overdue event was emitted for this activity and deadline (once each)."""

    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), on_delete=models.CASCADE, related_name="overdue_notices"
    )
    due_date = models.DateField(_("due date"))
    emitted_at = models.DateTimeField(_("emitted"), default=timezone.now)

    class Meta:
        ordering = ["-emitted_at"]
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        constraints = [models.UniqueConstraint(fields=["activity", "due_date"], name="overduenotice_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} overdue since {self.due_date}"


class DailySnapshot(models.Model):
    """The presidency's roll-up at the end of a day (selectors.presidency_rollup / priority_rollups).

    `priorities` holds one entry per priority: {"number", "total", "counts", "overdue", "percent_done",
    "mean_progress"}. The dashboard's burn-up chart reads `day`, `total`, `cancelled` and `done`.
    """

    class Source(models.TextChoices):
        LIVE = "live", _("Taken that day")
        BACKFILL = "backfill", _("Reconstructed from history")

    presidency = models.ForeignKey(
        "tracker.Presidency", verbose_name=_("presidency"), on_delete=models.CASCADE, related_name="snapshots"
    )
    day = models.DateField(_("day"))
    total = models.PositiveIntegerField(_("activities"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    # xgettext:no-python-format
    percent_done = models.PositiveSmallIntegerField(_("% done"), default=0)
    mean_progress = models.PositiveSmallIntegerField(_("mean progress"), default=0)
    counts = models.JSONField(_("counts by status"), default=dict)
    priorities = models.JSONField(_("per priority"), default=list)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.LIVE)
    taken_at = models.DateTimeField(_("taken"), default=timezone.now)

    class Meta:
        ordering = ["presidency", "day"]
        get_latest_by = "day"
        verbose_name = _("daily snapshot")
        verbose_name_plural = _("daily snapshots")
        constraints = [models.UniqueConstraint(fields=["presidency", "day"], name="dailysnapshot_one_a_day")]

    def __str__(self) -> str:
        return f"{self.presidency_id} {self.day}: {self.percent_done}%"


class WorkerHeartbeat(models.Model):
    """The last time each worker ran the heartbeat task; /health/ready/ checks the newest one."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
