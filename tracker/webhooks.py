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
import json
import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tracker import clock, shape, workflow
from tracker.models import Activity, DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookSubscription
from tracker.webhook_urls import validate_target_url

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

def activity_representation(activity: Activity) -> dict[str, Any]:
    """The activity as webhooks carry it (shape.WEBHOOK_FIELDS): related rows as their codes."""
    today = clock.today()
    related = {
        "presidency": activity.priority.presidency.code,
        "priority": activity.priority.number,
        "responsible_body": activity.responsible_body.code,
        "lead_state": activity.lead_state.code if activity.lead_state_id else None,
        "participating_states": sorted(state.code for state in activity.participating_states.all()),
        # Each state's part (tracker/models/participation.py); the list above stays for older receivers.
        "participations": sorted(
            ({"state": p.memberstate.code, "role": p.role, "level": p.level, "confirmed": p.confirmed,
              "note": p.note}
             for p in activity.participations.all()),
            key=lambda row: row["state"],
        ),
        "overdue": activity.is_overdue(today),
        "days_left": workflow.days_left(due_date=activity.due_date, today=today),
        "id": activity.pk,
        "owner": activity.owner.get_username() if activity.owner_id else None,
    }
    return {name: related[name] if name in related else getattr(activity, name) for name in shape.WEBHOOK_FIELDS}


def event_body(event: OutboxEvent) -> bytes:
    """The JSON body for an event: id, type, time, the activity as it is now, and what the event says.

    A deleted activity is sent as the summary recorded with the event.
    """
    payload = dict(event.payload or {})
    recorded = payload.pop("activity", None)
    activity = _current_activity(event.activity_id)
    document = {
        "id": str(event.pk),
        "type": event.event_type,
        "created_at": event.created_at,
        "activity": activity_representation(activity) if activity is not None else recorded,
        "data": payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


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
    """The signature header's value: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(subscription: WebhookSubscription, event: OutboxEvent, body: bytes, *, attempt: int) -> dict:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: str(event.pk),
        EVENT_TYPE_HEADER: event.event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(subscription.secret, timestamp, body),
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
    elif response.status_code == GONE:
        status = WebhookDelivery.Status.FAILED
        disable_subscription(subscription, reason=f"The receiver answered 410 Gone ({timezone.now():%Y-%m-%d %H:%M}).")
    else:
        retry_at = next_attempt_at(failed_attempts=number, window_started_at=window_started_at, now=timezone.now())
        status = WebhookDelivery.Status.PENDING if retry_at else WebhookDelivery.Status.FAILED
        if retry_at:
            outcome["next_attempt_at"] = retry_at
    _finish(delivery, token, status=status, **outcome)
    return status


def _finish(delivery: WebhookDelivery, token: uuid.UUID, *, status: str, **fields: Any) -> None:
    # Only the lease holder writes the outcome; a worker whose lease was taken over leaves it to the other.
    WebhookDelivery.objects.filter(pk=delivery.pk, lease_token=token).update(
        status=status, leased_until=None, lease_token=None, **fields
    )


def _inactive_reason(subscription: WebhookSubscription) -> str:
    return f"The subscription is inactive. {subscription.disabled_reason}".strip()[:500]


def disable_subscription(subscription: WebhookSubscription, *, reason: str) -> None:
    """Stop sending to a receiver that said it is gone; its pending deliveries are cancelled."""
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False, disabled_reason=reason[:200])
        WebhookDelivery.objects.filter(
            subscription=subscription, status=WebhookDelivery.Status.PENDING, lease_token__isnull=True
        ).update(status=WebhookDelivery.Status.CANCELLED, last_error=reason[:500])
    subscription.active, subscription.disabled_reason = False, reason[:200]
    logger.warning("webhook subscription %s disabled: %s", subscription.pk, reason)


def resend(delivery_ids: Iterable[int]) -> int:
    """Queue deliveries again (the admin's action): due now, with a fresh retry window. Returns how many."""
    return (
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), subscription__active=True)
        .filter(_lease_free(timezone.now()))
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(), window_started_at=None)
    )


def _send(subscription: WebhookSubscription, event: OutboxEvent, *, attempt: int) -> Response:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        validate_target_url(subscription.url)  # again at delivery: a name may point elsewhere by now
    except ValidationError as exc:
        return Response(None, "", f"Refused target: {' '.join(exc.messages)}", elapsed())
    body = event_body(event)
    headers = signed_headers(subscription, event, body, attempt=attempt)
    parts = urlsplit(subscription.url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # http.client follows no redirects and uses no proxy: a redirect cannot lead past the target check.
    connection = connection_class(parts.hostname, parts.port, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        # At most 4 bytes per character are read; control characters are dropped from what is kept.
        text = answer.read(4 * RESPONSE_EXCERPT_CHARS).decode("utf-8", "replace")
        excerpt = "".join(char for char in text if char.isprintable() or char == " ")[:RESPONSE_EXCERPT_CHARS]
        return Response(answer.status, excerpt, "", elapsed())
    except (OSError, http.client.HTTPException) as exc:
        return Response(None, "", f"{type(exc).__name__}: {exc}"[:500], elapsed())
    finally:
        connection.close()
