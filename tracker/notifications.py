"""Notifications, made from the transactional outbox by a Celery task (tracker/tasks.py), never in a web
request.

For each committed event that concerns people (a comment, a mention, a status or due-date change, a milestone
completed, a document added, an activity overdue), every watcher of the activity (selectors/people.watcher_ids:
those who chose to watch, its owner, contributors, commenters and mentioned people, less anyone who stopped
watching) who may still see it gets one inbox row, except the person who did it; a mention reaches the
person named (also when an edit adds it, once per comment). The
row is unique on (recipient, event): a redelivered event, a second worker or the sweep makes no second
notification. E-mails follow each person's preference (at once, in the daily digest, or never), in the
recipient's language; the choice is recorded on the row when it is made, and its e-mail state carries it
to the mail server at least once (tracker/notification_email.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from tracker import clock, events, notification_email, permissions
from tracker.models import Activity, Comment, Notification, NotificationKind, OutboxEvent, Role
from tracker.selectors import people as people_selectors

#: The events people hear of. activity.waiting (the schedule, issue 17) goes to the successor's watchers;
#: webhook.disabled (issue 16) concerns no activity and goes to the coordinators.
NOTIFYING_EVENTS = frozenset({
    events.COMMENT_POSTED, events.ACTIVITY_STATUS_CHANGED, events.ACTIVITY_UPDATED, events.MILESTONE_COMPLETED,
    events.ACTIVITY_OVERDUE, events.DOCUMENT_ADDED, events.ACTIVITY_WAITING, events.WEBHOOK_DISABLED,
    events.COMMENT_MENTIONED,
})
SWEEP_LOOKBACK = dt.timedelta(days=2)
default_email = notification_email.default_email


def _activity_id(event: OutboxEvent) -> int | None:
    if event.activity_id is not None:
        return event.activity_id
    summary = (event.payload or {}).get("activity")
    value = summary.get("id") if isinstance(summary, dict) else summary
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _what(event: OutboxEvent) -> tuple[str, dict[str, Any]] | None:
    """The kind of notification an event makes and its parameters; None when it concerns nobody."""
    payload = event.payload or {}
    by = payload.get("by") if isinstance(payload.get("by"), str) else ""
    if event.event_type == events.COMMENT_POSTED:
        return NotificationKind.COMMENT, {"by": by}
    if event.event_type == events.COMMENT_MENTIONED:
        return NotificationKind.MENTION, {"by": by}
    if event.event_type == events.ACTIVITY_STATUS_CHANGED:
        return NotificationKind.STATUS, {"from": payload.get("from"), "to": payload.get("to"), "by": by}
    if event.event_type == events.ACTIVITY_UPDATED:
        if "due_date" not in (payload.get("changed") or []):
            return None
        return NotificationKind.DUE_DATE, {"due_date": (payload.get("activity") or {}).get("due_date"), "by": by}
    if event.event_type == events.MILESTONE_COMPLETED:
        return NotificationKind.MILESTONE, {"title": (payload.get("milestone") or {}).get("title", "")}
    if event.event_type == events.ACTIVITY_OVERDUE:
        return NotificationKind.OVERDUE, {"due_date": payload.get("due_date")}
    if event.event_type == events.ACTIVITY_WAITING:
        waiting_on = payload.get("waiting_on") if isinstance(payload.get("waiting_on"), dict) else {}
        return NotificationKind.WAITING, {"title": str(waiting_on.get("title") or ""),
                                          "due_date": waiting_on.get("due_date")}
    if event.event_type == events.DOCUMENT_ADDED:
        document = payload.get("document") if isinstance(payload.get("document"), dict) else {}
        return NotificationKind.DOCUMENT, {"title": str(document.get("title") or payload.get("title") or ""),
                                           "by": by}
    return None


def watchers_of(activity: Activity) -> set[int]:
    """Who watches (the rule is selectors/people.watcher_ids): those who chose to, the owner, the
    contributors, commenters and mentioned people, less those who stopped watching."""
    return people_selectors.watcher_ids(activity)


def _may_see(user_ids: Iterable[int]) -> dict[int, Any]:
    """The recipients that may still read the agenda (active, a role, access not run out). One query."""
    users = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True).select_related("staff_profile")
    return {user.pk: user for user in users if permissions.role_of(user) is not None}


def _coordinators() -> list[Any]:
    """The coordinators who may still read the agenda (one query)."""
    users = get_user_model().objects.filter(is_active=True).select_related("staff_profile")
    return [user for user in users if permissions.role_of(user) == Role.COORDINATOR]


def _make_for_webhook(event: OutboxEvent) -> int:
    """A subscription switched off: the coordinators hear of it (its key's contact is e-mailed already)."""
    subscription = (event.payload or {}).get("subscription")
    if not isinstance(subscription, dict):
        return 0
    params = {"name": str(subscription.get("name") or ""), "reason": str(subscription.get("reason") or "")}
    now = clock.now()
    coordinators = _coordinators()
    choices = notification_email.choices_of(coordinators)
    rows = [
        Notification(recipient_id=user.pk, event_id=event.pk, kind=NotificationKind.WEBHOOK,
                     activity_title=params["name"][:300], params=params, created_at=now,
                     **notification_email.email_fields(user, NotificationKind.WEBHOOK, choices))
        for user in coordinators
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _kinds(event: OutboxEvent, activity: Activity, kind: str, params: dict[str, Any],
           comment: Comment | None) -> dict[int, str]:
    """Who is told of the event, and as what: the watchers; for a comment, the mentioned people (a mention);
    for an edit naming new people, only those not told of this comment's mention before. Never its author."""
    payload = event.payload or {}
    mentions = payload.get("mentions") or []
    if event.event_type == events.COMMENT_MENTIONED:
        told = set(Notification.objects.filter(comment=comment, kind=NotificationKind.MENTION)
                   .values_list("recipient_id", flat=True)) if comment else set()
        kinds = {user_id: kind for user_id in mentions if user_id not in told}
    else:
        kinds = dict.fromkeys(watchers_of(activity), kind)
    if event.event_type == events.COMMENT_POSTED:
        kinds |= dict.fromkeys(mentions, NotificationKind.MENTION)  # a mention outranks "a comment you watch"
    if event.event_type in (events.COMMENT_POSTED, events.COMMENT_MENTIONED):
        kinds.pop(payload.get("author"), None)
    elif params.get("by"):
        actor = get_user_model().objects.filter(username=params["by"]).values_list("pk", flat=True).first()
        kinds.pop(actor, None)  # nobody is told of their own change
    return kinds


def make_for_event(event: OutboxEvent) -> int:
    """Make the event's notifications; returns how many rows exist for it now."""
    if event.event_type == events.WEBHOOK_DISABLED:
        return _make_for_webhook(event)
    what = _what(event) if event.event_type in NOTIFYING_EVENTS else None
    activity_id = _activity_id(event)
    activity = Activity.objects.filter(pk=activity_id).first() if what and activity_id else None
    if what is None or activity is None:
        return 0
    kind, params = what
    payload = event.payload or {}
    comment = None
    if event.event_type in (events.COMMENT_POSTED, events.COMMENT_MENTIONED):
        comment = Comment.objects.filter(pk=payload.get("comment")).first()
    kinds = _kinds(event, activity, kind, params, comment)
    recipients = _may_see(kinds)
    choices = notification_email.choices_of(recipients)
    now = clock.now()
    rows = [
        Notification(
            recipient_id=user_id, event_id=event.pk, kind=kinds[user_id], activity=activity,
            activity_title=activity.display_title[:300], comment=comment, params=params, created_at=now,
            **notification_email.email_fields(user, kinds[user_id], choices),
        )
        for user_id, user in recipients.items()
    ]
    # ignore_conflicts + the unique (recipient, event): a second run makes nothing new.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def make(event_ids: Iterable[str]) -> int:
    """The task's work: notifications for each event not yet handled, then e-mails due at once."""
    made = 0
    for event in OutboxEvent.objects.filter(pk__in=list(event_ids), notified_at__isnull=True).order_by("created_at"):
        with transaction.atomic():
            made += make_for_event(event)
            OutboxEvent.objects.filter(pk=event.pk).update(notified_at=clock.now())
        send_immediate(event_id=event.pk)
    return made


def sweep() -> int:
    """Events the task never heard of (a broker outage): the recent ones still without notifications; then
    the e-mails no sender finished (tracker/notification_email.sweep). Returns the notifications made."""
    since = clock.now() - SWEEP_LOOKBACK
    ids = (OutboxEvent.objects.filter(notified_at__isnull=True, created_at__gte=since,
                                      event_type__in=list(NOTIFYING_EVENTS))
           .order_by("created_at").values_list("pk", flat=True)[:500])
    made = make([str(pk) for pk in ids])
    notification_email.sweep()
    return made


# --- E-mail (tracker/notification_email.py) -----------------------------------------------------------------

def send_immediate(*, event_id: Any) -> int:
    """The event's "at once" e-mails."""
    return notification_email.send_for_event(event_id=event_id)


def send_digests() -> int:
    """The daily digest: each person's notifications chosen for it and not yet e-mailed, in one message."""
    return notification_email.send_digests()


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


__all__ = ["NOTIFYING_EVENTS", "make", "make_for_event", "send_digests", "send_immediate", "sweep", "unread_count"]

