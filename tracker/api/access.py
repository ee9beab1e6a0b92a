"""Who may call what, per request: DRF permission and throttle classes that ask tracker/permissions.py.

The rules themselves live in tracker/permissions.py (shared with the web board and the admin); services
check them again on every write. These classes only give the early, coarse answer: 401 without valid
credentials, 403 for a read-only caller trying to write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import permissions as drf_permissions
from rest_framework import throttling
from rest_framework.request import Request

from tracker import permissions
from tracker.client_ip import client_address
from tracker.models import ApiClient, Channel
from tracker.permissions import Actor

if TYPE_CHECKING:
    from rest_framework.views import APIView


def actor_for(request: Request) -> Actor | None:
    """The Actor behind an API request (cached on the request), or None when nobody is authenticated."""
    cached = getattr(request, "_tracker_actor", False)
    if cached is not False:
        return cached
    actor: Actor | None = None
    if isinstance(request.auth, ApiClient):
        actor = Actor.for_client(request.auth)
    elif request.user is not None and request.user.is_authenticated:
        actor = Actor.for_user(request.user, Channel.API)
    request._tracker_actor = actor
    return actor


def _refusal_for_writes(actor: Actor) -> str:
    if actor.api_client is not None:
        return _("This API key has read scope; writing needs a key with write scope.")
    return _("You have read-only access: ask a coordinator to change this activity.")


class AgendaAccess(drf_permissions.BasePermission):
    """Anyone with a role or an active key reads; writers are those who may write for some body."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        actor = actor_for(request)
        if actor is None or not actor.can_read:
            return False  # DRF answers 401 (no or bad credentials)
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        if not permissions.can_create_activity(actor):
            self.message = _refusal_for_writes(actor)
            return False
        return True


class AgendaManagers(drf_permissions.BasePermission):
    """Webhooks and other agenda-wide settings: coordinators signed in as staff, no API keys."""

    message = _("Only coordinators may manage webhooks.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        actor = actor_for(request)
        if actor is None or not actor.can_read:
            return False
        return permissions.can_manage_agenda(actor)


class WebhookManagers(drf_permissions.BasePermission):
    """Webhook subscriptions: coordinators (all of them) and keys with the `webhooks` scope (their own)."""

    message = _("Only coordinators, or API keys with the webhooks scope, may manage webhooks.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        actor = actor_for(request)
        if actor is None or not actor.can_read:
            return False
        return permissions.can_manage_webhooks(actor)


class CallerRateThrottle(throttling.SimpleRateThrottle):
    """One bucket per API client, per staff user, and per address for anonymous callers.

    Rates come from settings.API_THROTTLE_RATES at request time (env API_THROTTLE_CLIENT / _USER / _ANON),
    and the counts live in the default cache: Redis when REDIS_URL is set, so every worker shares them.
    """

    def __init__(self) -> None:  # the rate depends on the caller, so it is parsed in allow_request
        pass

    def allow_request(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ApiClient):
            self.scope, ident = "client", f"client:{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            self.scope, ident = "user", f"user:{request.user.pk}"
        else:
            self.scope, ident = "anon", f"anon:{client_address(request)}"
        self.rate = settings.API_THROTTLE_RATES.get(self.scope)
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = f"throttle:api:{ident}"
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()
