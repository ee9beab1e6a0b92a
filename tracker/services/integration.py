"""Writes to the tracker's integration settings: webhook subscriptions and API clients. The API, the admin
and the management commands call these, and each write records its audit entry here, in its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker import audit, feed, permissions, webhooks
from tracker.models import ApiClient, Body, OutboxEvent, WebhookDelivery, WebhookSubscription
from tracker.models.integration import EVENT_TYPES, new_webhook_secret
from tracker.permissions import Actor


def _signed_in(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _who(by: Actor | None, actor: str) -> str:
    if by is not None and by.api_client is not None:
        return f"API client {by.api_client.name}"
    return actor


@transaction.atomic
def webhook_subscription_create(
    *, values: Mapping[str, Any], via: str, user: Any = None, actor: str = "", by: Actor | None = None
) -> WebhookSubscription:
    """Subscribe an endpoint. Raises django's ValidationError for a bad URL or event name. Made by an API
    key (`by`, the `webhooks` scope), it belongs to that key: only the key and coordinators see it."""
    if by is not None:
        permissions.ensure_can_manage_subscription(by)
    owner = by.api_client if by is not None else None
    subscription = WebhookSubscription(**values, created_by=_signed_in(user), owner=owner)
    actor = _who(by, actor)
    subscription.full_clean(exclude=["events"])  # [] means all events; clean() checks the names
    subscription.save()
    audit.record(audit.Action.WEBHOOK_CREATED, via=via, user=user, actor=actor, obj=subscription,
                 detail={"url": subscription.url})
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, changes: Mapping[str, Any], via: str, user: Any = None, actor: str = "",
    by: Actor | None = None,
) -> WebhookSubscription:
    """Change a subscription. Switching it back on forgets why it was switched off and replays nothing:
    what it missed is sent only when asked (webhook_redeliver)."""
    if by is not None:
        permissions.ensure_can_manage_subscription(by, subscription)
    actor = _who(by, actor)
    for name, value in changes.items():
        setattr(subscription, name, value)
    if subscription.active:
        subscription.disabled_reason = ""
        subscription.disabled_at = None
        subscription.failing_since = None
    subscription.full_clean(exclude=["events"])
    subscription.save()
    audit.record(audit.Action.WEBHOOK_CHANGED, via=via, user=user, actor=actor, obj=subscription,
                 detail={"url": subscription.url, "changed": sorted(changes)})
    return subscription


@transaction.atomic
def webhook_subscription_delete(
    *, subscription: WebhookSubscription, via: str, user: Any = None, actor: str = "", by: Actor | None = None
) -> None:
    if by is not None:
        permissions.ensure_can_manage_subscription(by, subscription)
    actor = _who(by, actor)
    audit.record(audit.Action.WEBHOOK_DELETED, via=via, user=user, actor=actor, obj=subscription,
                 detail={"url": subscription.url})
    subscription.delete()


@transaction.atomic
def webhook_secret_rotate(
    *, subscription: WebhookSubscription, overlap_hours: int | None = None, via: str, user: Any = None,
    actor: str = "", by: Actor | None = None,
) -> str:
    """Give the subscription a new secret and return it (shown once). For `overlap_hours` (default
    WEBHOOK_SECRET_OVERLAP_HOURS) the old secret signs too, so a receiver can switch without a failure."""
    if by is not None:
        permissions.ensure_can_manage_subscription(by, subscription)
    hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    locked.previous_secret = locked.secret if hours > 0 else ""
    locked.previous_secret_expires_at = timezone.now() + dt.timedelta(hours=hours) if hours > 0 else None
    locked.secret = new_webhook_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    for name in ("secret", "previous_secret", "previous_secret_expires_at"):
        setattr(subscription, name, getattr(locked, name))
    audit.record(audit.Action.WEBHOOK_CHANGED, via=via, user=user, actor=_who(by, actor), obj=locked,
                 detail={"url": locked.url, "changed": ["secret"], "overlap_hours": hours})
    return locked.secret


@transaction.atomic
def webhook_redeliver(
    *, subscription: WebhookSubscription, delivery_ids: Iterable[int] | None = None, after: int | None = None,
    until: int | None = None, via: str, user: Any = None, actor: str = "", by: Actor | None = None,
) -> int:
    """Send deliveries again, with the same frozen bodies: the given ones, or every event the subscription
    wants in the feed's range (after, until], creating the deliveries it never had (e.g. while it was
    switched off). Returns how many were queued; a switched-off subscription is sent nothing."""
    if by is not None:
        permissions.ensure_can_manage_subscription(by, subscription)
    ids: list[int] = []
    if delivery_ids is not None:
        ids = list(WebhookDelivery.objects.filter(subscription=subscription, pk__in=list(delivery_ids))
                   .values_list("pk", flat=True))
    if after is not None:
        feed.sequence()
        events = OutboxEvent.objects.filter(position__gt=after, event_type__in=EVENT_TYPES)
        if until is not None:
            events = events.filter(position__lte=until)
        if subscription.events:
            events = events.filter(event_type__in=subscription.events)
        event_ids = list(events.values_list("pk", flat=True))
        for start in range(0, len(event_ids), 500):
            WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(event_id=pk, subscription=subscription) for pk in event_ids[start:start + 500]],
                ignore_conflicts=True,
            )
        ids += list(WebhookDelivery.objects.filter(subscription=subscription, event_id__in=event_ids)
                    .values_list("pk", flat=True))
    count = webhooks.resend(ids) if subscription.active else 0
    audit.record(audit.Action.WEBHOOK_RESENT, via=via, user=user, actor=_who(by, actor), obj=subscription,
                 detail={"count": count, "after": after, "until": until})
    if count:
        transaction.on_commit(lambda: _enqueue_deliveries(ids))
    return count


def _enqueue_deliveries(ids: list[int]) -> None:
    from tracker import tasks  # as the admin's resend does: tasks sit above services

    for delivery_id in ids:
        tasks.enqueue(tasks.webhook_deliver, delivery_id)


@transaction.atomic
def api_client_create(
    *, client: ApiClient, bodies: Iterable[Body] | None = None, via: str, user: Any = None, actor: str = ""
) -> str:
    """Save a new client with a new key and return the key: it is shown once and only its hash is stored.
    `bodies` limits its writes (None: the caller saves them, as the admin's form does)."""
    key = client.set_new_key()
    client.created_by = client.created_by or _signed_in(user)
    client.save()
    detail: dict[str, Any] = {
        "scope": client.scope, "key_prefix": client.key_prefix, "all_bodies": client.all_bodies,
        "expires_at": client.expires_at.isoformat() if client.expires_at else None,
    }
    if bodies is not None:
        bodies = list(bodies)
        client.bodies.set(bodies)
        detail["bodies"] = [b.code for b in bodies]
    audit.record(audit.Action.API_CLIENT_CREATED, via=via, user=user, actor=actor, obj=client, detail=detail)
    return key


@transaction.atomic
def api_client_change(
    *, client: ApiClient, changed: Iterable[str], via: str, user: Any = None, actor: str = ""
) -> ApiClient:
    """Save a client whose fields `changed` were set by the caller (the admin's form)."""
    changed = list(changed)
    client.save()
    revoked = "revoked_at" in changed and client.revoked_at is not None
    audit.record(audit.Action.API_CLIENT_REVOKED if revoked else audit.Action.API_CLIENT_CHANGED, via=via,
                 user=user, actor=actor, obj=client,
                 detail={"scope": client.scope, "key_prefix": client.key_prefix, "changed": changed})
    return client


@transaction.atomic
def api_client_revoke(*, client: ApiClient, via: str, user: Any = None, actor: str = "") -> bool:
    """Revoke the client's key at once; False when it was revoked already (nothing is recorded then)."""
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is not None:
        client.revoked_at = locked.revoked_at
        return False
    locked.revoked_at = client.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(audit.Action.API_CLIENT_REVOKED, via=via, user=user, actor=actor, obj=locked,
                 detail={"key_prefix": locked.key_prefix})
    return True


@transaction.atomic
def api_client_delete(*, client: ApiClient, via: str, user: Any = None, actor: str = "") -> None:
    audit.record(audit.Action.API_CLIENT_DELETED, via=via, user=user, actor=actor, obj=client,
                 detail={"key_prefix": client.key_prefix})
    client.delete()
