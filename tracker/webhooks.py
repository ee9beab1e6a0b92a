"""Webhook delivery from the transactional outbox: fan-out, leases, retries, switching a receiver off,
retention. Documented in docs/api.md (Webhooks). One request (body, signatures, the pinned connection) is
tracker/webhook_http.py.

The database is the queue. An OutboxEvent committed with a change is fanned out into one WebhookDelivery
row per subscription that wants it; each delivery is sent until it succeeds, fails for good after a day of
retries, or its subscription is disabled. Celery only carries "look at these ids now" hints: a lost hint
(broker down, worker killed) is made good by the periodic sweep, which re-reads the rows.

Two workers may be handed the same delivery. Whoever takes the lease (a conditional UPDATE) sends; the
other does nothing. A worker that dies mid-request leaves a lease that expires, and the delivery is sent
again: at least once, always with the same event id, so receivers de-duplicate on X-Tracker-Event-Id.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tracker import events, feed
from tracker.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookSubscription
from tracker.webhook_http import send

logger = logging.getLogger(__name__)

GONE = 410


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
    response = send(subscription, delivery.event, attempt=number)
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
    """E-mail coordinators and the owning client's contact that a subscription was switched off: one e-mail
    each (the client's contact never sees the staff's addresses), in each reader's language, text and HTML.
    Returns how many were sent."""
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from tracker.jobs import mailing

    sent, stamp = 0, int(timezone.now().timestamp())
    for email, language in _disabled_notice_recipients(subscription):
        with override(language):
            body = _(
                "The tracker stopped sending events to %(url)s (subscription “%(name)s”).\n\nWhy: %(reason)s\n\n"
                "Nothing is lost: every event stays in the events feed (GET /api/v1/events/) for the retention "
                "period. Switch the subscription back on over the API or in the admin, and ask for a redelivery "
                "if you want the missed events sent."
            ) % {"url": subscription.url, "name": subscription.name, "reason": subscription.disabled_reason}
        try:
            mailing.send(
                template="webhook_disabled", to=email, language=language,
                context={"subscription": subscription, "body": body, "paragraphs": body.split("\n\n")},
                message_id=mailing.message_id("webhook-disabled", subscription.pk, email, stamp),
            )
        except Exception:
            logger.warning("could not e-mail %s that subscription %s was disabled", email, subscription.pk,
                           exc_info=True)
            continue
        sent += 1
    return sent


def _disabled_notice_recipients(subscription: WebhookSubscription) -> list[tuple[str, str]]:
    """(address, language) of the active superusers and coordinators with an address, then the owning
    client's contact (in the site's language) unless one of them already has that address."""
    from django.contrib.auth import get_user_model

    from tracker.jobs import mailing
    from tracker.models import Role

    users = (get_user_model().objects.filter(is_active=True).exclude(email="")
             .filter(Q(is_superuser=True) | Q(staff_profile__role=Role.COORDINATOR))
             .select_related("staff_profile").order_by("email", "pk"))
    recipients: dict[str, str] = {}
    for user in users:
        recipients.setdefault(user.email, mailing.language_of(user))
    owner = subscription.owner
    if owner is not None and owner.contact_email:
        recipients.setdefault(owner.contact_email, settings.LANGUAGE_CODE)
    return sorted(recipients.items())


def resend(delivery_ids: Iterable[int]) -> int:
    """Queue deliveries again (the admin's action and the API's redelivery): due now, with a fresh retry
    window, the same frozen body. Returns how many."""
    return (
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), subscription__active=True)
        .filter(_lease_free(timezone.now()))
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(), window_started_at=None)
    )


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
