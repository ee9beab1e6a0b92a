"""Notification e-mails (issue 13): delivery driven by each notification's own e-mail state, so none is lost.

A notification is made with the recipient's choice for its kind (at once, in the daily digest, or never;
`email_fields`) and, when an e-mail is wanted and the person has an address, state `pending`. A sender
claims rows by one conditional update (state `sending`, a claim token, a lease of
NOTIFICATION_EMAIL_LEASE_SECONDS, one attempt more), sends, then marks them `sent`. A failed send puts them
back to `pending`, not before attempts x NOTIFICATION_EMAIL_RETRY_SECONDS, and `failed` after
NOTIFICATION_EMAIL_MAX_ATTEMPTS. The notifications task sends an event's "at once" rows right after making
them; the daily digest sends the digest rows; the sweep (Celery beat) sends whatever is left: "at once" rows
the task never sent, rows a failed attempt put back, and claims whose lease ran out because their worker
died between the claim and the send.

Delivery is at least once: a worker that dies after the mail server accepted a message but before marking
it sent (or a send slower than the lease) leads to one repeat after the lease; the repeat keeps the
Message-ID, so mail clients that de-duplicate show it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone, translation

from tracker import logtext
from tracker.jobs import mailing
from tracker.models import EmailChoice, EmailState, Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)

#: The e-mail choice of a person who has not chosen: mentions at once, the rest in the daily digest.
#: A switched-off webhook is e-mailed at once by tracker/webhooks.notify_disabled, so the inbox row is not.
DEFAULT_EMAIL = {NotificationKind.MENTION: EmailChoice.NOW, NotificationKind.WEBHOOK: EmailChoice.NEVER}
#: Rows the sweep claims at a time: few enough to send well within one lease.
SWEEP_BATCH = 50
#: Batches one sweep sends at most, to end within the task's time limit; the next sweep goes on.
SWEEP_ROUNDS = 10


def _now() -> dt.datetime:
    # Real time, not clock.now(): leases are about the worker's clock, never the demo's pinned day.
    return timezone.now()


def default_email(kind: str) -> str:
    return DEFAULT_EMAIL.get(kind, EmailChoice.DIGEST)


def choices_of(user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """Each person's stored choice per kind (one query); `default_email` for the kinds not stored."""
    return {(p.user_id, p.kind): p.email for p in NotificationPreference.objects.filter(user_id__in=list(user_ids))}


def email_fields(user: Any, kind: str, choices: dict[tuple[int, str], str]) -> dict[str, str]:
    """A new notification's e-mail columns: the choice in force now, and pending only if a mail is due."""
    choice = choices.get((user.pk, kind), default_email(kind))
    wanted = choice != EmailChoice.NEVER and bool(user.email)
    return {"email_choice": choice, "email_state": EmailState.PENDING if wanted else EmailState.SKIPPED}


def _claimable(now: dt.datetime) -> Q:
    due = Q(email_lease_until__isnull=True) | Q(email_lease_until__lte=now)
    return Q(email_attempts__lt=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS) & (
        (Q(email_state=EmailState.PENDING) & due) | Q(email_state=EmailState.SENDING, email_lease_until__lte=now))


def claim(where: Q, *, limit: int | None = None) -> list[Notification]:
    """Claim the rows matching `where` that are due: of two senders, only one gets each row (the update's
    condition is checked again under the row's lock). Returns the rows this call claimed."""
    now = _now()
    candidates = Notification.objects.filter(where).filter(_claimable(now)).order_by("created_at", "id")
    ids = list(candidates.values_list("pk", flat=True)[:limit] if limit else candidates.values_list("pk", flat=True))
    if not ids:
        return []
    token = uuid.uuid4()
    lease = now + dt.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS)
    taken = Notification.objects.filter(_claimable(now), pk__in=ids).update(
        email_state=EmailState.SENDING, email_claim=token, email_lease_until=lease,
        email_attempts=F("email_attempts") + 1)
    if not taken:
        return []
    return list(Notification.objects.filter(email_claim=token, email_state=EmailState.SENDING)
                .select_related("recipient__staff_profile", "activity").order_by("recipient_id", "created_at", "id"))


def _finish(rows: list[Notification], **fields: Any) -> None:
    """Settle claimed rows, unless another sender took them over after our lease ran out."""
    for token in {row.email_claim for row in rows}:
        Notification.objects.filter(pk__in=[r.pk for r in rows if r.email_claim == token], email_claim=token,
                                    email_state=EmailState.SENDING).update(**fields)


def _failed(rows: list[Notification]) -> None:
    now = _now()
    for row in rows:  # rare: one update each, each with its own next try
        if row.email_attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS:
            _finish([row], email_state=EmailState.FAILED, email_lease_until=None)
        else:
            retry = now + dt.timedelta(seconds=settings.NOTIFICATION_EMAIL_RETRY_SECONDS * row.email_attempts)
            _finish([row], email_state=EmailState.PENDING, email_lease_until=retry)


def _send(user: Any, rows: list[Notification], *, template: str) -> bool:
    language = mailing.language_of(user)
    with translation.override(language):
        items = [{"activity_id": r.activity_id,
                  "title": r.activity.display_title if r.activity is not None else r.activity_title,
                  "text": logtext.describe_notification(r.kind, r.params)} for r in rows]
    try:
        mailing.send(template=template, to=user.email, language=language, context={"items": items, "user": user},
                     message_id=mailing.message_id(template, user.pk, rows[0].pk, len(rows)))
    except Exception:
        logger.exception("could not e-mail notifications %s; will try again", [r.pk for r in rows])
        _failed(rows)
        return False
    _finish(rows, email_state=EmailState.SENT, emailed_at=_now(), email_lease_until=None)
    return True


def deliver(rows: list[Notification]) -> int:
    """Send claimed rows: each "at once" row alone, each person's digest rows in one message. Returns the
    number of messages sent."""
    by_user: dict[int, list[Notification]] = {}
    for row in rows:
        by_user.setdefault(row.recipient_id, []).append(row)
    sent = 0
    for user_rows in by_user.values():
        user = user_rows[0].recipient
        if not user.email:  # the address was removed since: nothing to send to
            _finish(user_rows, email_state=EmailState.SKIPPED, email_lease_until=None)
            continue
        digest = [r for r in user_rows if r.email_choice == EmailChoice.DIGEST]
        for row in user_rows:
            if row.email_choice != EmailChoice.DIGEST:
                sent += _send(user, [row], template="notification")
        if digest:
            sent += _send(user, digest, template="notification_digest")
    return sent


def send_for_event(*, event_id: Any) -> int:
    """The notifications task, right after making an event's rows: the "at once" e-mails."""
    return deliver(claim(Q(event_id=event_id, email_choice=EmailChoice.NOW)))


def send_digests() -> int:
    """The daily digest: each person's unread digest rows in one message (claimed person by person)."""
    queue = Notification.objects.filter(email_choice=EmailChoice.DIGEST, email_state=EmailState.PENDING)
    queue.filter(read_at__isnull=False).update(email_state=EmailState.SKIPPED)  # read already: nothing to tell
    people = queue.filter(read_at__isnull=True).order_by().values_list("recipient_id", flat=True).distinct()
    sent = 0
    for user_id in list(people):
        sent += deliver(claim(Q(recipient_id=user_id, email_choice=EmailChoice.DIGEST, read_at__isnull=True)))
    return sent


def sweep() -> int:
    """What no sender finished: "at once" rows never sent, rows a failed try put back (digest ones too, once
    tried), and claims whose lease ran out. Claims out of attempts become `failed`."""
    now = _now()
    Notification.objects.filter(email_state=EmailState.SENDING, email_lease_until__lte=now,
                                email_attempts__gte=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS).update(
        email_state=EmailState.FAILED, email_lease_until=None)
    sent = 0
    for _round in range(SWEEP_ROUNDS):
        rows = claim(Q(email_choice=EmailChoice.NOW) | Q(email_attempts__gt=0), limit=SWEEP_BATCH)
        sent += deliver(rows)
        if len(rows) < SWEEP_BATCH:
            break
    return sent


__all__ = [
    "choices_of",
    "claim",
    "default_email",
    "deliver",
    "email_fields",
    "send_digests",
    "send_for_event",
    "sweep",
]
