"""Other systems: API clients with hashed, scoped keys, and the events they are sent."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.reference import Body
from tracker.validators import single_line

KEY_PREFIX_LENGTH = 8


def hash_api_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is safe; a slow KDF would only slow every request.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[single_line])
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    # "Every body" is its own flag, never inferred from an empty list: a key limited to bodies that are later
    # deleted or cleared must be able to write nothing, not everything.
    all_bodies = models.BooleanField(
        _("writes every body"), default=False,
        help_text=_("Tick to let a write key change every body's activities; otherwise it may change only the "
                    "bodies listed below (none listed: nothing)."),
    )
    bodies = models.ManyToManyField(
        Body, verbose_name=_("limited to bodies"), blank=True, related_name="api_clients",
        help_text=_("The bodies whose activities a write key may change, unless it writes every body."),
    )
    #: The `webhooks` scope, beside read/write: the key manages its own webhook subscriptions (and only those).
    manage_webhooks = models.BooleanField(
        _("webhooks scope"), default=False,
        help_text=_("Tick to let this key subscribe its own endpoints, rotate their secrets and see their deliveries."),
    )
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True,
        help_text=_("Told when one of this client's webhook subscriptions is switched off after failing."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    def set_new_key(self) -> str:
        """Give the client a fresh key and return it; only its hash is kept, so show it once."""
        key = f"pat_{secrets.token_urlsafe(32)}"
        self.key_prefix = key[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_api_key(key)
        return key

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


#: The event vocabulary: what an OutboxEvent row's `event_type` may say (tracker/events.py writes them).
ACTIVITY_CREATED = "activity.created"
ACTIVITY_UPDATED = "activity.updated"
ACTIVITY_STATUS_CHANGED = "activity.status_changed"
ACTIVITY_OVERDUE = "activity.overdue"
ACTIVITY_DELETED = "activity.deleted"
MILESTONE_COMPLETED = "milestone.completed"
PROGRESS_REPORTED = "progress.reported"
ASSESSMENT_CREATED = "assessment.created"
RISK_CREATED = "risk.created"
RISK_CHANGED = "risk.changed"
STOCKTAKE_CLOSED = "stocktake.closed"
COMMITMENT_OUTCOME_RECORDED = "commitment.outcome_recorded"
DOCUMENT_ADDED = "document.added"  # a document or a new version of one on an activity (issue 13)
COMMENT_POSTED = "comment.posted"
# The schedule (issue 17): a successor starts waiting on a predecessor; links and baselines change.
ACTIVITY_WAITING = "activity.waiting"
DEPENDENCY_CREATED = "dependency.created"
DEPENDENCY_DELETED = "dependency.deleted"
BASELINE_APPROVED = "baseline.approved"
#: Internal: never sent to webhooks nor listed in the feed; for the coordinators' notices (the inbox).
WEBHOOK_DISABLED = "webhook.disabled"
#: Internal too: a comment edited to name people it did not name before (only they are told).
COMMENT_MENTIONED = "comment.mentioned"
INTERNAL_EVENT_TYPES = [WEBHOOK_DISABLED, COMMENT_MENTIONED]
EVENT_TYPES = [
    ACTIVITY_CREATED,
    ACTIVITY_UPDATED,
    ACTIVITY_STATUS_CHANGED,
    ACTIVITY_OVERDUE,
    ACTIVITY_DELETED,
    MILESTONE_COMPLETED,
    PROGRESS_REPORTED,
    ASSESSMENT_CREATED,
    RISK_CREATED,
    RISK_CHANGED,
    STOCKTAKE_CLOSED,
    COMMITMENT_OUTCOME_RECORDED,
    DOCUMENT_ADDED,
    COMMENT_POSTED,
    ACTIVITY_WAITING,
    DEPENDENCY_CREATED,
    DEPENDENCY_DELETED,
    BASELINE_APPROVED,
]


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it describes; delivered after commit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("type"), max_length=50, db_index=True)
    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    payload = models.JSONField(_("payload"), default=dict)
    #: The event's document, frozen when it was written (tracker/events.document): every delivery and the
    #: events feed send exactly these bytes. Empty only for rows written before it existed.
    body = models.TextField(_("body"), blank=True, editable=False)
    #: Its place in commit order, given after the commit (tracker/feed.sequence): the events feed's cursor.
    position = models.BigIntegerField(_("position"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    #: Set once a delivery row exists for every subscription that wanted the event (tracker/webhooks.py);
    #: the periodic sweep fans out events still without it, e.g. after a broker outage.
    dispatched_at = models.DateTimeField(_("fanned out"), null=True, blank=True, editable=False)
    #: Set once the people watching the activity have their notifications (tracker/notifications.py); the
    #: periodic sweep makes them for events still without it.
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outboxevent_undispatched"
            )
        ]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.id}"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """Another system's endpoint that is sent the agenda's events, signed with the shared secret."""

    name = models.CharField(_("name"), max_length=100, validators=[single_line])
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"), max_length=128, default=new_webhook_secret, validators=[single_line],
        help_text=_("Shared with the receiver, which uses it to check the signature."),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("Event types to send; empty means all."))
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True, editable=False)
    #: When deliveries started failing without a success since; switched off WEBHOOK_DISABLE_AFTER_HOURS later.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    #: During a rotation the old secret signs too, until it expires (two signatures in the header).
    previous_secret = models.CharField(_("previous secret"), max_length=128, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(_("previous secret expires"), null=True, blank=True,
                                                      editable=False)
    #: The API client that made it (the `webhooks` scope); such a client sees and changes only its own.
    owner = models.ForeignKey(
        ApiClient, verbose_name=_("owning API client"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def clean(self) -> None:
        from tracker.webhook_urls import validate_target_url

        if self.url:
            try:
                validate_target_url(self.url)
            except ValidationError as exc:
                raise ValidationError({"url": exc.messages}) from None
        unknown = [e for e in (self.events or []) if e not in EVENT_TYPES]
        if not isinstance(self.events, list) or unknown:
            raise ValidationError({"events": _("Unknown event types: %(events)s. Choose from: %(choices)s.") % {
                "events": ", ".join(map(str, unknown)) or str(self.events), "choices": ", ".join(EVENT_TYPES)}})

    def wants(self, event_type: str) -> bool:
        if event_type in INTERNAL_EVENT_TYPES:
            return False
        return self.active and (not self.events or event_type in self.events)

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign now: the current one, and the previous one while its overlap lasts."""
        now = now or timezone.now()
        secrets_now = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets_now.append(self.previous_secret)
        return secrets_now
