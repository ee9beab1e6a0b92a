"""Emails of the background jobs: rendered from templates/emails/ in the reader's language, sent through
Django's email backend (console in development, SMTP from the environment in production), and sent once
thanks to a ledger row claimed before sending.

The crash window: a row is claimed (committed), then the email is sent, then the row is marked sent. A
worker that dies between the claim and the send leaves a claimed, unsent row; a later run takes it over
once EMAIL_CLAIM_TIMEOUT_SECONDS have passed, so the email is not lost. A worker that dies after the mail
server accepted the message but before marking the row leads to one repeat after the timeout; the message
keeps its Message-ID, so mail servers and clients that de-duplicate show it once. Attempts are bounded.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3

Ledger = TypeVar("Ledger", bound=models.Model)


def claim(model: type[Ledger], **key: Any) -> Ledger | None:
    """Claim the ledger row for `key` before sending. None means someone else has it (or sent it)."""
    try:
        with transaction.atomic():
            return model.objects.create(**key)
    except IntegrityError:
        pass
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT_SECONDS)
    # A conditional UPDATE: of several runs that find the same stale claim, exactly one takes it over.
    taken = model.objects.filter(
        **key, sent_at__isnull=True, skipped=False, claimed_at__lt=stale, attempts__lt=MAX_ATTEMPTS
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    return model.objects.get(**key) if taken else None


def mark_sent(row: models.Model, *, skipped: bool = False) -> None:
    type(row).objects.filter(pk=row.pk).update(sent_at=timezone.now(), skipped=skipped)


def send(
    *, template: str, to: str, language: str, context: dict[str, Any], message_id: str,
) -> None:
    """Render emails/<template>_subject.txt, .txt and .html in `language` and send them to one address."""
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "language": language}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_claimed(row: models.Model, *, failure: str, **email: Any) -> bool:
    """Send one email (`send`'s arguments) for a ledger row this run has claimed, then mark the row sent. True
    when sent. A failure is logged as `failure` and leaves the claim unsent: a later run retries it once the
    claim has timed out."""
    try:
        send(**email)
    except Exception:
        logger.exception("%s failed", failure)
        return False
    mark_sent(row)
    return True


def message_id(*parts: object) -> str:
    """A stable Message-ID for one logical email, so a rare repeat is recognisable as the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tracker.local"
    return "<" + ".".join(str(p).replace("@", "=").replace(" ", "") for p in parts) + f"@{domain}>"


def language_of(user: Any) -> str:
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE
