"""Settings of the integration with other systems (issue 16): webhook address checks, auto-disabling,
secret rotation, and how long the events feed and delivery logs are kept.

The delivery's timeouts and retries are in presidency/conf/jobs.py; the purge job is a beat entry there.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from presidency.env import env_int, env_list, env_str

# Webhook targets must be globally routable addresses, unless one of these networks (CIDR, comma-separated)
# allows them: empty in production; the demo and the tests allow loopback ("127.0.0.0/8,::1/128").
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
try:
    [ipaddress.ip_network(network, strict=False) for network in WEBHOOK_ALLOWED_NETWORKS]
except ValueError as exc:
    raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {exc}") from None
# How names are resolved for the address check and the connection (dotted path; tests swap in their own).
WEBHOOK_RESOLVER = env_str("WEBHOOK_RESOLVER", "tracker.webhook_urls.system_resolve")
# A subscription whose deliveries have failed for this long without one success is switched off.
WEBHOOK_DISABLE_AFTER_HOURS = env_int("WEBHOOK_DISABLE_AFTER_HOURS", 72, minimum=1)
# After a secret rotation the old secret signs too (a second signature) for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24, minimum=0)
# The events feed keeps events this long; the daily purge removes older ones (with their deliveries).
EVENT_RETENTION_DAYS = env_int("EVENT_RETENTION_DAYS", 90, minimum=1)
# Finished deliveries (delivered, failed, cancelled) and their attempts are kept this long.
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 30, minimum=1)
