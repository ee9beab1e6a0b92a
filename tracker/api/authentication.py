"""`Authorization: Bearer <key>` for other systems' API clients.

Keys are stored hashed (tracker.models.ApiClient); a request's key is hashed and looked up by the hash.
A revoked or expired key is refused with 401 and a message that says which, so the operator knows whether
to ask for a new key or check the clock.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tracker.models import ApiClient, hash_api_key

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
        client = ApiClient.objects.filter(key_hash=hash_api_key(key)).first()
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
