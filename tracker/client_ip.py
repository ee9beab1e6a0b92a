"""The caller's address, as the trusted proxies report it: one rule for the login lockout (django-axes) and
the API's anonymous throttle.

Behind a proxy, REMOTE_ADDR is the proxy's own address, the same for everyone: keyed on it, one person's
wrong passwords would lock the account for every other. X-Forwarded-For names the client, but anyone can
send that header, so only the entries our own proxies appended are believed: with TRUSTED_PROXY_COUNT = n,
the n-th address from the right (REMOTE_ADDR being the nearest proxy). With TRUSTED_PROXY_IPS set, the
header is read only when the request comes from one of those addresses or networks. Default: no proxy is
trusted and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0 or not _is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]  # the client first, then each proxy; REMOTE_ADDR is the nearest proxy
    if len(chain) <= count:
        return remote  # the request did not pass through every proxy: nothing in the header is vouched for
    candidate = chain[-(count + 1)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _is_trusted_proxy(address: str) -> bool:
    networks = settings.TRUSTED_PROXY_IPS
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)
