"""One request to a webhook receiver: the event's frozen body, its signatures and headers, the connection
to the address that was checked, and what is kept of the answer. tracker/webhooks.py decides when to send
(fan-out, leases, retries, switching off); this module only sends.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from tracker import events
from tracker.models import Activity, OutboxEvent, WebhookSubscription
from tracker.webhook_urls import Target, check_target

EVENT_ID_HEADER = "X-Tracker-Event-Id"
EVENT_TYPE_HEADER = "X-Tracker-Event-Type"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
SIGNATURE_HEADER = "X-Tracker-Signature"
ATTEMPT_HEADER = "X-Tracker-Delivery-Attempt"
USER_AGENT = "PresidencyAgendaTracker-Webhooks/1"
# What is kept of a receiver's answer: its status and this many characters, no more (shown in the admin, so a
# target that answers with an internal page must not make the tracker a reader of it). Nothing is kept from
# a target the address check refused: no request is sent to it.
RESPONSE_EXCERPT_CHARS = 200


def event_body(event: OutboxEvent) -> bytes:
    """The event's document as frozen when it was written (tracker/events.document): the same bytes for every
    delivery and redelivery. Rows written before bodies were frozen are given one now, once."""
    if not event.body:
        activity = _current_activity(event.activity_id)
        event.body = events.document(event, events.activity_representation(activity) if activity else None)
        # Freeze it now, so that this row too is sent the same way from here on.
        OutboxEvent.objects.filter(pk=event.pk, body="").update(body=event.body)
    return event.body.encode()


def _current_activity(activity_id: int | None) -> Activity | None:
    if activity_id is None:
        return None
    return (
        Activity.objects.select_related("priority__presidency", "responsible_body", "lead_state", "owner")
        .prefetch_related("participations__memberstate")  # the participating states are read from these
        .filter(pk=activity_id)
        .first()
    )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """One signature: HMAC-SHA256 over "<timestamp>.<body>" with a secret, as "sha256=<hex>"."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """The signature header's value: one signature per secret that signs now, comma-separated (the new
    secret's first). During a rotation a receiver holding either secret finds its own among them."""
    return ",".join(sign(secret, timestamp, body) for secret in secrets)


def signed_headers(subscription: WebhookSubscription, event: OutboxEvent, body: bytes, *, attempt: int) -> dict:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: str(event.pk),
        EVENT_TYPE_HEADER: event.event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(subscription.signing_secrets(), timestamp, body),
        ATTEMPT_HEADER: str(attempt),
    }


@dataclass(frozen=True)
class Response:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with the original host name for SNI and the certificate."""

    def __init__(self, address: str, port: int, *, server_hostname: str, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout)
        self._server_hostname = server_hostname

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)  # TCP to the checked address, never a fresh lookup
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_hostname)


def _connection(target: Target) -> http.client.HTTPConnection:
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.address, target.port, server_hostname=target.host, timeout=timeout)
    return http.client.HTTPConnection(target.address, target.port, timeout=timeout)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def send(subscription: WebhookSubscription, event: OutboxEvent, *, attempt: int) -> Response:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        # Resolved once, checked, and connected to: a name re-pointed after the check is not asked again.
        target = check_target(subscription.url)
    except ValidationError as exc:
        return Response(None, "", f"Refused target: {' '.join(exc.messages)}", elapsed())
    body = event_body(event)
    headers = {**signed_headers(subscription, event, body, attempt=attempt), "Host": _host_header(target)}
    # http.client follows no redirects and uses no proxy: a redirect cannot lead past the target check.
    connection = _connection(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        # At most 4 bytes per character are read; control characters are dropped from what is kept.
        text = answer.read(4 * RESPONSE_EXCERPT_CHARS).decode("utf-8", "replace")
        excerpt = "".join(char for char in text if char.isprintable() or char == " ")[:RESPONSE_EXCERPT_CHARS]
        return Response(answer.status, excerpt, "", elapsed())
    except (OSError, http.client.HTTPException) as exc:
        return Response(None, "", f"{type(exc).__name__}: {exc}"[:500], elapsed())
    finally:
        connection.close()
