"""`Authorization: Bearer <key>` for other systems' API clients.

Keys are stored hashed (tracker.models.ApiClient); a request's key is hashed and looked up by the hash.
A revoked or expired key is refused with 401 and a message that says which, so the operator knows whether
to ask for a new key or check the clock.

The lookup (the client's row and the bodies a limited key writes for) is kept in this process for
settings.API_KEY_CACHE_SECONDS (5 s by default), so a read costs only its own statement. Invalidation: a
time limit, plus clearing this process's copy on any save or delete of a client or change of its bodies.
A time limit rather than a shared generation, because checking a generation in Redis costs each request a
round trip, which is what the cache saves; 5 s bounds how long another worker may still accept a key
revoked elsewhere. Expiry is checked against the clock on every request, so it is never late.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tracker.models import ApiClient, hash_api_key
from tracker.selectors.arrays import id_array

#: last_used_at is written at most this often per client, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiClientUser(AnonymousUser):
    """request.user for an API client: not a staff account, but it carries the client for logs and throttles."""

    def __init__(self, client: ApiClient) -> None:
        super().__init__()
        self.api_client = client

    def __str__(self) -> str:
        return f"api:{self.api_client.name}"


class BearerKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiClientUser, ApiClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session (or nothing) decides
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The API key is not valid.")) from None
        client = _client_for(hash_api_key(key))
        if client is None:
            raise exceptions.AuthenticationFailed(_("The API key is not valid."))
        now = timezone.now()
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if client.expires_at is not None and client.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This API key expired on %(when)s.") % {
                "when": client.expires_at.isoformat(timespec="seconds")})
        _touch(client, now)
        return ApiClientUser(client), client

    def authenticate_header(self, request: Request) -> str:
        # Its presence makes DRF answer 401 (not 403) to requests without valid credentials.
        return f'{self.keyword} realm="api"'


def _touch(client: ApiClient, now: dt.datetime) -> None:
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


#: key hash -> (the client with `limited_body_ids` set, when it was read by time.monotonic())
_clients: dict[str, tuple[ApiClient, float]] = {}
_clock = time.monotonic  # tests move it forward


def _client_for(key_hash: str) -> ApiClient | None:
    cached = _clients.get(key_hash)
    now = _clock()
    if cached is not None and now - cached[1] < settings.API_KEY_CACHE_SECONDS:
        return cached[0]
    # The client and its bodies' ids in one statement; an unknown key is not cached (it costs its query).
    through = ApiClient.bodies.through
    queryset = ApiClient.objects.all()
    bodies = through.objects.filter(apiclient_id=OuterRef("pk")).order_by("body_id").values("body_id")
    client = queryset.annotate(limited_body_ids=id_array(bodies, "body_id", queryset.db)).filter(
        key_hash=key_hash).first()
    if client is not None and settings.API_KEY_CACHE_SECONDS > 0:
        if len(_clients) > 1000:  # a bound, not a policy: clients are few
            _clients.clear()
        _clients[key_hash] = (client, now)
    return client


def forget_clients(**kwargs: Any) -> None:
    """Drop this process's cached lookups, now and again when the writing transaction commits (so a
    request in between cannot cache the old row again)."""
    _clients.clear()
    transaction.on_commit(_clients.clear)


post_save.connect(forget_clients, sender=ApiClient, dispatch_uid="api-key-cache-save")
post_delete.connect(forget_clients, sender=ApiClient, dispatch_uid="api-key-cache-delete")
m2m_changed.connect(forget_clients, sender=ApiClient.bodies.through, dispatch_uid="api-key-cache-bodies")


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.BearerKeyAuthentication"
    name = "bearerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's key: `Authorization: Bearer pat_...`. Create one in the admin or "
                           "with `python manage.py create_api_client NAME --scope read|write`.",
        }
