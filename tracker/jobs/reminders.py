"""Deadline reminders: REMINDER_DAYS_BEFORE (14, 7 and 1) days before a due date, and once the deadline
has passed, an email to the responsible body's contacts and the activity's watchers.

Each (activity, due date, threshold, recipient) is emailed once: a ReminderLog row is claimed before
sending (see tracker/jobs/mailing.py for the crash window). A run that missed a day catches up with the
latest threshold only (six days before, it sends the 7-day reminder, not the 14-day one); the overdue
reminder goes out within REMINDER_OVERDUE_WINDOW_DAYS of the deadline. A moved deadline is a new deadline
and gets its own reminders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from tracker import clock, selectors, workflow
from tracker.jobs import mailing
from tracker.models import Activity, ReminderLog
from tracker.workflow import Status

OVERDUE = ReminderLog.Threshold.OVERDUE


def threshold_for(days_left: int) -> str | None:
    """The reminder due at `days_left` days before the deadline (negative: after it), or None."""
    if days_left < 0:
        return OVERDUE if -days_left <= settings.REMINDER_OVERDUE_WINDOW_DAYS else None
    days = sorted({d for d in settings.REMINDER_DAYS_BEFORE if d >= 0}, reverse=True)
    for index, threshold in enumerate(days):
        next_threshold = days[index + 1] if index + 1 < len(days) else -1
        if next_threshold < days_left <= threshold:
            return f"{threshold}d"
    return None


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def recipients(activity: Activity) -> list[Recipient]:
    """The body's contacts and the watchers, each address once; a watcher gets their own language."""
    found: dict[str, Recipient] = {}
    for user in activity.watchers.all():
        if user.is_active and user.email:
            found.setdefault(user.email.lower(), Recipient(user.email.lower(), mailing.language_of(user)))
    for email in activity.responsible_body.contact_list:
        found.setdefault(email.lower(), Recipient(email.lower(), settings.LANGUAGE_CODE))
    return sorted(found.values(), key=lambda r: r.email)


def due_for_reminders(today: dt.date) -> list[Activity]:
    earliest = today - dt.timedelta(days=settings.REMINDER_OVERDUE_WINDOW_DAYS)
    latest = today + dt.timedelta(days=max(settings.REMINDER_DAYS_BEFORE, default=0))
    watchers = Prefetch("watchers", queryset=get_user_model().objects.select_related("staff_profile"))
    return list(
        selectors.activity_list()
        .filter(status__in=list(workflow.OPEN_STATUSES), due_date__gte=earliest, due_date__lte=latest)
        .prefetch_related(watchers)
        .order_by("due_date", "id")
    )


def send_reminders(today: dt.date | None = None) -> int:
    """Send the reminders due today. Returns how many emails were sent."""
    today = today or clock.today()
    sent = 0
    for activity in due_for_reminders(today):
        days_left = (activity.due_date - today).days
        threshold = threshold_for(days_left)
        if threshold is None:
            continue
        for recipient in recipients(activity):
            row = mailing.claim(
                ReminderLog, activity=activity, due_date=activity.due_date, threshold=threshold,
                recipient=recipient.email,
            )
            if row is None:
                continue  # sent already, or being sent by another run
            sent += mailing.send_claimed(
                row, failure=f"reminder for activity {activity.pk} to {recipient.email}",
                template="reminder", to=recipient.email, language=recipient.language,
                context={"activity": activity, "days_left": days_left, "overdue": threshold == OVERDUE,
                         "days_overdue": -days_left, "status": Status(activity.status)},
                message_id=mailing.message_id(
                    "reminder", activity.pk, activity.due_date.isoformat(), threshold, recipient.email
                ),
            )
    return sent

