"""Webhook delivery from the transactional outbox: fan-out, signing, sending, retries. Documented in
docs/api.md (Webhooks).

The database is the queue. An OutboxEvent committed with a change is fanned out into one WebhookDelivery
row per subscription that wants it; each delivery is sent until it succeeds, fails for good after a day of
retries, or its subscription is disabled. Celery only carries "look at these ids now" hints: a lost hint
(broker down, worker killed) is made good by the periodic sweep, which re-reads the rows.

Two workers may be handed the same delivery. Whoever takes the lease (a conditional UPDATE) sends; the
other does nothing. A worker that dies mid-request leaves a lease that expires, and the delivery is sent
again: at least once, always with the same event id, so receivers de-duplicate on X-Tracker-Event-Id.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tracker import events, feed
from tracker.models import Activity, DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookSubscription
from tracker.webhook_urls import Target, check_target

logger = logging.getLogger(__name__)

EVENT_ID_HEADER = "X-Tracker-Event-Id"
EVENT_TYPE_HEADER = "X-Tracker-Event-Type"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
SIGNATURE_HEADER = "X-Tracker-Signature"
ATTEMPT_HEADER = "X-Tracker-Delivery-Attempt"
USER_AGENT = "PresidencyAgendaTracker-Webhooks/1"
# What is kept of a receiver's answer: its status and this many characters, no more (shown in the admin, so a
# target that answers with an internal page must not make the tracker a reader of it). Nothing is kept from
# a target the address check refused: no request is sent to it.
RESPONSE_EXCERPT_CHARS = 200
GONE = 410


# --- What is sent ---------------------------------------------------------------------------------------

#: Kept for callers that shape an activity as events do; the one definition is in tracker/events.py.
activity_representation = events.activity_representation


def event_body(event: OutboxEvent) -> bytes:
    """The event's document as frozen when it was written (tracker/events.document): the same bytes for every
    delivery and redelivery. Rows written before bodies were frozen are given one now, once."""
    if not event.body:
        activity = _current_activity(event.activity_id)
        event.body = events.document(event, events.activity_representation(activity) if activity else None)
        # Freeze it now, so that this row too is sent the same way from here on.
        OutboxEvent.objects.filter(pk=event.pk, body="").update(body=event.body)
    return event.body.encode()


def _current_activity(activity_id: int | None) -> Activity | None:
    if activity_id is None:
        return None
    return (
        Activity.objects.select_related("priority__presidency", "responsible_body", "lead_state", "owner")
        .prefetch_related("participating_states", "participations__memberstate")
        .filter(pk=activity_id)
        .first()
    )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """One signature: HMAC-SHA256 over "<timestamp>.<body>" with a secret, as "sha256=<hex>"."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """The signature header's value: one signature per secret that signs now, comma-separated (the new
    secret's first). During a rotation a receiver holding either secret finds its own among them."""
    return ",".join(sign(secret, timestamp, body) for secret in secrets)


def signed_headers(subscription: WebhookSubscription, event: OutboxEvent, body: bytes, *, attempt: int) -> dict:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: str(event.pk),
        EVENT_TYPE_HEADER: event.event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(subscription.signing_secrets(), timestamp, body),
        ATTEMPT_HEADER: str(attempt),
    }


# --- When to try again ----------------------------------------------------------------------------------

def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the n-th failed attempt: base·2^(n-1), capped, with ±25% jitter so that many
    deliveries failing together (a receiver's outage) do not all come back at the same second."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    exponent = min(max(failed_attempts, 1) - 1, 30)
    delay = min(base * 2**exponent, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS)
    return timedelta(seconds=delay * (rng or random).uniform(0.75, 1.25))


def next_attempt_at(
    *, failed_attempts: int, window_started_at: datetime, now: datetime, rng: random.Random | None = None
) -> datetime | None:
    """When to try again, or None once the retry window (at least a day) has passed: the delivery failed."""
    if now - window_started_at >= timedelta(hours=settings.WEBHOOK_RETRY_WINDOW_HOURS):
        return None
    return now + retry_delay(failed_attempts, rng=rng)


def lease_seconds() -> int:
    # Longer than one request can take (connect, then read, each up to the timeout), so that a lease only
    # expires when its worker is really gone.
    return max(settings.WEBHOOK_LEASE_SECONDS, 2 * settings.WEBHOOK_TIMEOUT_SECONDS + 5)


# --- Fan-out and the sweep ------------------------------------------------------------------------------

def fan_out(event_ids: Iterable[str | uuid.UUID]) -> list[int]:
    """Create the deliveries of the given events (once each, whoever else does it at the same time) and
    return the ids of their pending deliveries."""
    ids = [uuid.UUID(str(event_id)) for event_id in event_ids]
    if not ids:
        return []
    feed.sequence()  # the events feed's order, given as soon as events are known to be committed
    pending_events = list(OutboxEvent.objects.filter(pk__in=ids, dispatched_at__isnull=True).order_by("created_at"))
    if pending_events:
        subscriptions = list(WebhookSubscription.objects.filter(active=True))
        for event in pending_events:
            with transaction.atomic():
                WebhookDelivery.objects.bulk_create(
                    [WebhookDelivery(event=event, subscription=s) for s in subscriptions if s.wants(event.event_type)],
                    ignore_conflicts=True,  # the unique (event, subscription) makes a second fan-out a no-op
                )
                OutboxEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return list(
        WebhookDelivery.objects.filter(event_id__in=ids, status=WebhookDelivery.Status.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)
    )


def _lease_free(now: datetime) -> Q:
    return Q(leased_until__isnull=True) | Q(leased_until__lt=now)


def sweep(*, batch: int = 500) -> list[int]:
    """Fan out events that missed their after-commit hint, and return the deliveries due now."""
    undispatched = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    fan_out(undispatched)
    feed.sequence()
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(_lease_free(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:batch]
    )


# --- Delivery -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver(delivery_id: int) -> str | None:
    """Send one delivery if it is due and no other worker holds it; return its new status, or None when
    there was nothing to do."""
    now = timezone.now()
    token = uuid.uuid4()
    taken = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(_lease_free(now))
        .update(leased_until=now + timedelta(seconds=lease_seconds()), lease_token=token)
    )
    if not taken:
        return None
    delivery = WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.active:
        _finish(delivery, token, status=WebhookDelivery.Status.CANCELLED, last_error=_inactive_reason(subscription))
        return WebhookDelivery.Status.CANCELLED

    number = delivery.attempts + 1
    window_started_at = delivery.window_started_at or now
    started_at = timezone.now()
    response = _send(subscription, delivery.event, attempt=number)
    DeliveryAttempt.objects.create(
        delivery=delivery, number=number, started_at=started_at, duration_ms=response.duration_ms,
        status_code=response.status_code, response_excerpt=response.excerpt, error=response.error[:500],
    )
    outcome: dict[str, Any] = {
        "attempts": F("attempts") + 1, "window_started_at": window_started_at,
        "last_status_code": response.status_code, "last_error": response.error[:500],
    }
    if response.ok:
        status = WebhookDelivery.Status.DELIVERED
        outcome["delivered_at"] = timezone.now()
        if subscription.failing_since is not None:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=None)
    elif response.status_code == GONE:
        status = WebhookDelivery.Status.FAILED
        disable_subscription(subscription, reason=f"The receiver answered 410 Gone ({timezone.now():%Y-%m-%d %H:%M}).")
    else:
        retry_at = next_attempt_at(failed_attempts=number, window_started_at=window_started_at, now=timezone.now())
        status = WebhookDelivery.Status.PENDING if retry_at else WebhookDelivery.Status.FAILED
        if retry_at:
            outcome["next_attempt_at"] = retry_at
    _finish(delivery, token, status=status, **outcome)
    if not response.ok and response.status_code != GONE:
        _note_failure(subscription)
    return status


def _note_failure(subscription: WebhookSubscription) -> None:
    """Remember since when the receiver has been failing; switch it off once that is too long ago."""
    now = timezone.now()
    WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=True).update(failing_since=now)
    since = WebhookSubscription.objects.filter(pk=subscription.pk).values_list("failing_since", flat=True).first()
    if since is None or now - since < timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS):
        return
    hours = settings.WEBHOOK_DISABLE_AFTER_HOURS
    disable_subscription(subscription, reason=(
        f"Every delivery failed for {hours} hours (since {since:%Y-%m-%d %H:%M} UTC) without one success."
    ))


def _finish(delivery: WebhookDelivery, token: uuid.UUID, *, status: str, **fields: Any) -> None:
    # Only the lease holder writes the outcome; a worker whose lease was taken over leaves it to the other.
    WebhookDelivery.objects.filter(pk=delivery.pk, lease_token=token).update(
        status=status, leased_until=None, lease_token=None, **fields
    )


def _inactive_reason(subscription: WebhookSubscription) -> str:
    return f"The subscription is inactive. {subscription.disabled_reason}".strip()[:500]


def disable_subscription(subscription: WebhookSubscription, *, reason: str) -> bool:
    """Stop sending to a receiver that is gone or has failed too long: its pending deliveries are cancelled,
    the reason is kept, coordinators and the owning client's contact are told (e-mail, and a
    `webhook.disabled` outbox event for the in-app notices). False when it was off already."""
    with transaction.atomic():
        switched = WebhookSubscription.objects.filter(pk=subscription.pk, active=True).update(
            active=False, disabled_reason=reason[:200], disabled_at=timezone.now()
        )
        WebhookDelivery.objects.filter(
            subscription=subscription, status=WebhookDelivery.Status.PENDING, lease_token__isnull=True
        ).update(status=WebhookDelivery.Status.CANCELLED, last_error=reason[:500])
        if switched:
            events.emit(events.WEBHOOK_DISABLED, None, {"subscription": {
                "id": subscription.pk, "name": subscription.name, "url": subscription.url,
                "owner": subscription.owner_id, "reason": reason[:200],
            }})
    subscription.active, subscription.disabled_reason = False, reason[:200]
    logger.warning("webhook subscription %s disabled: %s", subscription.pk, reason)
    if switched:
        transaction.on_commit(lambda: notify_disabled(subscription))
    return bool(switched)


def notify_disabled(subscription: WebhookSubscription) -> int:
    """E-mail coordinators and the owning client's contact that a subscription was switched off."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils.translation import gettext as _

    from tracker.models import Role

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    recipients = set(users.filter(Q(is_superuser=True) | Q(staff_profile__role=Role.COORDINATOR))
                     .values_list("email", flat=True))
    owner = subscription.owner
    if owner is not None and owner.contact_email:
        recipients.add(owner.contact_email)
    if not recipients:
        return 0
    subject = _("Webhook subscription switched off: %(name)s") % {"name": subscription.name}
    body = _(
        "The tracker stopped sending events to %(url)s (subscription “%(name)s”).\n\nWhy: %(reason)s\n\n"
        "Nothing is lost: every event stays in the events feed (GET /api/v1/events/) for the retention period. "
        "Switch the subscription back on over the API or in the admin, and ask for a redelivery if you want "
        "the missed events sent."
    ) % {"url": subscription.url, "name": subscription.name, "reason": subscription.disabled_reason}
    try:
        return send_mail(subject, body, None, sorted(recipients))
    except Exception:
        logger.warning("could not e-mail that subscription %s was disabled", subscription.pk, exc_info=True)
        return 0


def resend(delivery_ids: Iterable[int]) -> int:
    """Queue deliveries again (the admin's action and the API's redelivery): due now, with a fresh retry
    window, the same frozen body. Returns how many."""
    return (
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), subscription__active=True)
        .filter(_lease_free(timezone.now()))
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(), window_started_at=None)
    )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with the original host name for SNI and the certificate."""

    def __init__(self, address: str, port: int, *, server_hostname: str, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout)
        self._server_hostname = server_hostname

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)  # TCP to the checked address, never a fresh lookup
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_hostname)


def _connection(target: Target) -> http.client.HTTPConnection:
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.address, target.port, server_hostname=target.host, timeout=timeout)
    return http.client.HTTPConnection(target.address, target.port, timeout=timeout)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _send(subscription: WebhookSubscription, event: OutboxEvent, *, attempt: int) -> Response:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        # Resolved once, checked, and connected to: a name re-pointed after the check is not asked again.
        target = check_target(subscription.url)
    except ValidationError as exc:
        return Response(None, "", f"Refused target: {' '.join(exc.messages)}", elapsed())
    body = event_body(event)
    headers = {**signed_headers(subscription, event, body, attempt=attempt), "Host": _host_header(target)}
    # http.client follows no redirects and uses no proxy: a redirect cannot lead past the target check.
    connection = _connection(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        # At most 4 bytes per character are read; control characters are dropped from what is kept.
        text = answer.read(4 * RESPONSE_EXCERPT_CHARS).decode("utf-8", "replace")
        excerpt = "".join(char for char in text if char.isprintable() or char == " ")[:RESPONSE_EXCERPT_CHARS]
        return Response(answer.status, excerpt, "", elapsed())
    except (OSError, http.client.HTTPException) as exc:
        return Response(None, "", f"{type(exc).__name__}: {exc}"[:500], elapsed())
    finally:
        connection.close()


# --- Retention ------------------------------------------------------------------------------------------

def purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete events older than EVENT_RETENTION_DAYS (their deliveries go with them) and finished deliveries
    older than WEBHOOK_DELIVERY_RETENTION_DAYS (their attempts go with them). Pending deliveries stay."""
    now = now or timezone.now()
    event_cutoff = now - timedelta(days=settings.EVENT_RETENTION_DAYS)
    delivery_cutoff = now - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    _, by_model = (
        WebhookDelivery.objects.filter(created_at__lt=delivery_cutoff)
        .exclude(status=WebhookDelivery.Status.PENDING)
        .delete()
    )
    deliveries = by_model.get(WebhookDelivery._meta.label, 0)
    # Only events already fanned out: one the sweep has not reached yet still owes its deliveries.
    old = OutboxEvent.objects.filter(created_at__lt=event_cutoff, dispatched_at__isnull=False)
    _, by_model = old.exclude(deliveries__status=WebhookDelivery.Status.PENDING).delete()
    deliveries += by_model.get(WebhookDelivery._meta.label, 0)
    return {"deliveries": deliveries, "events": by_model.get(OutboxEvent._meta.label, 0)}
