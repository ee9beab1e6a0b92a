"""Idempotency-Key: a client that retries a write (after a timeout, say) gets the first answer again and
nothing is done twice.

- The first request with a key claims it: a row inserted and committed on its own, before the work
  starts. The unique (owner, key) constraint decides races: exactly one request wins the claim.
- The same key and the same request again: the stored response is replayed (`Idempotent-Replayed: true`).
- The same key with a different method, path or body: 422.
- The same key while the first request still runs: 409 with Retry-After.
- Secrets shown once (NEVER_STORED) are not stored: a replay answers without them.
- A request that fails (any 4xx, or an exception) releases its key: it changed nothing, so the retry may
  run afresh. If even the release fails (the database went away), the claim's lease, no longer than the
  request time limit, frees the key; the work commits only while its claim holds, so it is never done twice.
  Only successful responses are kept, for at least API_IDEMPOTENCY_TTL_HOURS (24 by default);
  `purge_expired()` deletes older records and is run by the background jobs.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import dbretry
from tracker.api.errors import ProblemException
from tracker.models import ApiClient, IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
#: Response headers worth replaying: they carry the new version and where the created thing lives.
_REPLAYED_HEADERS = ("ETag", "Location")
#: Answer fields never written to the record: a secret shown once (a webhook's signing secret) must not sit
#: in the database for a day, readable by anyone who replays the key. A replay answers without them.
NEVER_STORED = frozenset({"secret"})

logger = logging.getLogger(__name__)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete idempotency records older than the retention period. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view method (create, an action) so that it honours Idempotency-Key."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        key = _checked_key(key)
        record = _claim(_owner(request), key, _fingerprint(request))
        if record.state == IdempotencyRecord.State.DONE:
            return _replay(record)

        def attempt() -> tuple[Response, bool]:
            # The work and the stored answer commit together: a crash (or a database restart) between the
            # two would otherwise leave work done under a key that looks unfinished, and the retry that
            # takes the key over after the lease would do the work a second time.
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    _complete(record, response)
                    return response, True
            return response, False

        try:
            response, completed = dbretry.run(attempt)  # a deadlock runs the whole again (tracker/dbretry.py)
        except BaseException:
            _release(record)
            raise
        if not completed:
            _release(record)
        return response

    return wrapper


_KEY = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")  # visible ASCII, no spaces


def _checked_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ProblemException(
            "invalid",
            _("An Idempotency-Key is 1 to %(max)s visible ASCII characters without spaces, e.g. a UUID.")
            % {"max": MAX_KEY_LENGTH},
            errors={HEADER: [_("Invalid idempotency key.")]},
        )
    return key


def _owner(request: Request) -> str:
    if isinstance(request.auth, ApiClient):
        return f"client:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _fingerprint(request: Request) -> str:
    # The parsed body, canonicalised: the same JSON sent with other spacing or key order is the same request.
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=_canonical, ensure_ascii=False)
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(value: Any) -> str:
    """A value JSON cannot hold: an uploaded file (a document) is its name and its content's digest, so the
    same key with another file is a different request."""
    if hasattr(value, "chunks") and hasattr(value, "name"):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{digest.hexdigest()}"
    return str(value)


def _insert(owner: str, key: str, fingerprint: str, now: dt.datetime) -> IdempotencyRecord | None:
    """The key's record, inserted and committed at once; None when the key already has one."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=fingerprint,
                                                    created_at=now, locked_at=now)
    except IntegrityError:
        return None


def _claim(owner: str, key: str, fingerprint: str) -> IdempotencyRecord:
    """Insert the record (committed at once), or return the existing one if it may be replayed."""
    now = timezone.now()
    inserted = _insert(owner, key, fingerprint, now)
    if inserted is not None:
        return inserted
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is None:  # released meanwhile: the other attempt failed; try once more to claim it
        return _claim_again(owner, key, fingerprint)
    if record.created_at < now - dt.timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS):
        record.delete()  # an expired record the purge has not reached yet: the key is free again
        return _claim_again(owner, key, fingerprint)
    if record.fingerprint != fingerprint:
        raise ProblemException(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request (another method, URL or body). "
              "Use a new key for a new request."),
        )
    if record.state == IdempotencyRecord.State.DONE:
        return record
    lease = dt.timedelta(seconds=settings.API_IDEMPOTENCY_LEASE_SECONDS)
    if record.locked_at < now - lease:
        # The first attempt died without an answer (a killed worker): take the key over, once.
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, locked_at=record.locked_at
        ).update(locked_at=now)
        if taken:
            record.locked_at = now
            return record
    raise _in_progress()


def _in_progress() -> ProblemException:
    return ProblemException(
        "idempotency_in_progress",
        _("A request with this Idempotency-Key is still being processed. Retry after a moment to get its result."),
        headers={"Retry-After": "1"},
        retry_after=1,
    )


def _claim_again(owner: str, key: str, fingerprint: str) -> IdempotencyRecord:
    # The key was freed a moment ago; losing this second race means another request holds it now.
    inserted = _insert(owner, key, fingerprint, timezone.now())
    if inserted is None:
        raise _in_progress()
    return inserted


def _complete(record: IdempotencyRecord, response: Response) -> None:
    headers = {name: response[name] for name in _REPLAYED_HEADERS if response.has_header(name)}
    # Only while our claim holds: if the lease ran out and a retry took the key over, this attempt must not
    # commit its work too (raising here rolls it back; the retry's answer is the one kept).
    kept = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, locked_at=record.locked_at
    ).update(
        state=IdempotencyRecord.State.DONE, response_status=response.status_code,
        response_body=_jsonable(_without_secrets(response.data)), response_headers=headers,
    )
    if not kept:
        raise _in_progress()


def _without_secrets(data: Any) -> Any:
    if isinstance(data, dict):
        return {name: value for name, value in data.items() if name not in NEVER_STORED}
    return data


def _jsonable(data: Any) -> Any:
    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _release(record: IdempotencyRecord) -> None:
    """Free the key for a retry. When the database connection broke (a restart), try once more on a new
    one; if the database is still away, the lease frees the key within the request time limit."""
    for attempt in range(2):
        try:
            IdempotencyRecord.objects.filter(
                pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, locked_at=record.locked_at
            ).delete()
            return
        except DatabaseError as exc:
            connection = transaction.get_connection()
            if attempt or connection.in_atomic_block:
                logger.warning("could not release Idempotency-Key %s (freed after the lease): %s",
                               record.key[:40], str(exc).strip()[:200])
                return
            connection.close()  # the next query opens a new connection


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status, headers=record.response_headers)
    response["Idempotent-Replayed"] = "true"
    return response
