"""Writes to the tracker's integration settings: webhook subscriptions and API clients. The API, the admin
and the management commands call these, and each write records its audit entry here, in its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from tracker import audit
from tracker.models import ApiClient, Body, WebhookSubscription


def _signed_in(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


@transaction.atomic
def webhook_subscription_create(
    *, values: Mapping[str, Any], via: str, user: Any = None, actor: str = ""
) -> WebhookSubscription:
    """Subscribe an endpoint. Raises django's ValidationError for a bad URL or event name."""
    subscription = WebhookSubscription(**values, created_by=_signed_in(user))
    subscription.full_clean(exclude=["events"])  # [] means all events; clean() checks the names
    subscription.save()
    audit.record(audit.Action.WEBHOOK_CREATED, via=via, user=user, actor=actor, obj=subscription,
                 detail={"url": subscription.url})
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, changes: Mapping[str, Any], via: str, user: Any = None, actor: str = ""
) -> WebhookSubscription:
    """Change a subscription. Switching it back on forgets why it was switched off."""
    for name, value in changes.items():
        setattr(subscription, name, value)
    if subscription.active:
        subscription.disabled_reason = ""
    subscription.full_clean(exclude=["events"])
    subscription.save()
    audit.record(audit.Action.WEBHOOK_CHANGED, via=via, user=user, actor=actor, obj=subscription,
                 detail={"url": subscription.url, "changed": sorted(changes)})
    return subscription


@transaction.atomic
def webhook_subscription_delete(
    *, subscription: WebhookSubscription, via: str, user: Any = None, actor: str = ""
) -> None:
    audit.record(audit.Action.WEBHOOK_DELETED, via=via, user=user, actor=actor, obj=subscription,
                 detail={"url": subscription.url})
    subscription.delete()


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
