"""Which addresses webhooks may be sent to. Checked when a subscription is saved and again at delivery,
because a name can point somewhere else later (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )


def validate_target_url(url: str, *, resolve: bool = True) -> None:
    """Raise ValidationError unless `url` is http(s) and, in production, points at a public address."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValidationError(_("A webhook URL must start with http:// or https:// and name a host."))
    try:
        port = parsed.port  # ValueError beyond 65535
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ValidationError(_("A webhook URL's port must be a number from 1 to 65535."))
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    host = parsed.hostname
    try:
        addresses = {host} if _is_ip(host) else (
            {info[4][0] for info in socket.getaddrinfo(host, parsed.port or 443)} if resolve else set()
        )
    except socket.gaierror:
        raise ValidationError(_("The webhook host %(host)s cannot be resolved.") % {"host": host}) from None
    if any(_is_internal(address) for address in addresses):
        raise ValidationError(
            _("Webhooks cannot be sent to private, loopback or link-local addresses (%(host)s).") % {"host": host}
        )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
