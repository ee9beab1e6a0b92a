"""Which addresses webhooks may be sent to, and the one place names are resolved.

A target must resolve only to globally routable addresses (`ipaddress`'s `is_global`: no private, loopback,
link-local, carrier-grade NAT such as 100.100.100.200, documentation or reserved ranges), unless a network
in WEBHOOK_ALLOWED_NETWORKS allows it (empty in production; loopback in the demo and the tests). The check
runs when a subscription is saved and again at every delivery, and the delivery connects to the very
address it checked (tracker/webhooks.py), so a name re-pointed in between (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolve(host: str, port: int) -> list[str]:
    """The machine's resolver: every address `host` has, in the order it gives them."""
    return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)))


@functools.cache
def _resolver(path: str) -> Callable[[str, int], list[str]]:
    return import_string(path)


def resolve(host: str, port: int) -> list[str]:
    """Resolve a name through WEBHOOK_RESOLVER (tests point it at a resolver of their own)."""
    return list(_resolver(settings.WEBHOOK_RESOLVER)(host, port))


@functools.cache
def _networks(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def is_allowed(address: str) -> bool:
    ip: Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    if any(ip in network for network in _networks(tuple(settings.WEBHOOK_ALLOWED_NETWORKS))):
        return True
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    """A checked target: connect to `address`, and name `host` in the Host header and for TLS."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def _parts(url: str) -> tuple[str, str, int]:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValidationError(_("A webhook URL must start with http:// or https:// and name a host."))
    try:
        port = parsed.port  # ValueError beyond 65535
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ValidationError(_("A webhook URL's port must be a number from 1 to 65535."))
    return parsed.scheme, parsed.hostname, port or (443 if parsed.scheme == "https" else 80)


def check_target(url: str) -> Target:
    """Resolve `url`'s host once and check every address it has; raise ValidationError unless all are
    allowed. The answer names the address to connect to."""
    scheme, host, port = _parts(url)
    try:
        addresses = [host] if _is_ip(host) else resolve(host, port)
    except (socket.gaierror, UnicodeError, OSError):
        raise ValidationError(_("The webhook host %(host)s cannot be resolved.") % {"host": host}) from None
    if not addresses:
        raise ValidationError(_("The webhook host %(host)s cannot be resolved.") % {"host": host})
    if not all(is_allowed(address) for address in addresses):
        raise ValidationError(
            _("Webhooks can be sent only to public internet addresses; %(host)s is not one.") % {"host": host}
        )
    parsed = urlparse(url)
    path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)


def validate_target_url(url: str) -> None:
    """Raise ValidationError unless `url` is http(s) and points only at allowed addresses."""
    check_target(url)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
