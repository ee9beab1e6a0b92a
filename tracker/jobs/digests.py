"""The weekly digest: for each staff member who wants one, what changed in the past seven days, what is
due in the next two weeks and what is overdue, in their language. Editors of a body read about their
body's activities and those they watch; everyone else about the whole current presidency.

A DigestLog row per person and week is claimed before sending, so a second run sends nothing; a week
with nothing to report is recorded and not sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from tracker import clock, selectors, workflow
from tracker.jobs import mailing
from tracker.models import Activity, DigestLog, Presidency, ProgressUpdate, StaffProfile
from tracker.selectors import delivery as selectors_delivery

DUE_SOON_DAYS = 14
PERIOD_DAYS = 7
MAX_CHANGES = 50


@dataclass(frozen=True)
class Digest:
    presidency: Presidency
    changes: list[ProgressUpdate]
    due_soon: list[Activity]
    overdue: list[Activity]
    #: Delivery-confidence ratings that fell this week (tracker/selectors/delivery.py).
    fallen: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.due_soon or self.overdue or self.fallen)


def week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def readers() -> QuerySet[StaffProfile]:
    return (
        StaffProfile.objects.filter(wants_digest=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "body")
        .order_by("user_id")
    )


def _scope(profile: StaffProfile) -> Q:
    if profile.body_id:
        return Q(responsible_body_id=profile.body_id) | Q(watchers=profile.user)
    return Q()


def build(profile: StaffProfile, presidency: Presidency, *, today: dt.date, now: dt.datetime) -> Digest:
    in_scope = Activity.objects.filter(priority__presidency=presidency).filter(_scope(profile)).values("pk")
    activities = selectors.activity_list(presidency=presidency).filter(pk__in=in_scope)
    changes = list(
        ProgressUpdate.objects.filter(activity__in=in_scope, created_at__gte=now - dt.timedelta(days=PERIOD_DAYS))
        .select_related("activity")
        .order_by("-created_at", "-id")[:MAX_CHANGES]
    )
    due_soon = list(
        activities.filter(
            status__in=list(workflow.OPEN_STATUSES), due_date__gte=today,
            due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        ).order_by("due_date", "id")
    )
    overdue = list(activities.filter(workflow.overdue_q(today)).order_by("due_date", "id"))  # latest first
    for activity in overdue:
        activity.days_late = (today - activity.due_date).days
    fallen = selectors_delivery.ratings_that_fell(in_scope, now - dt.timedelta(days=PERIOD_DAYS))
    return Digest(presidency=presidency, changes=changes, due_soon=due_soon, overdue=overdue, fallen=fallen)


def send_digests(today: dt.date | None = None) -> int:
    """Send this week's digests. Returns how many emails were sent."""
    today = today or clock.today()
    now = timezone.now()
    presidency = selectors.current_presidency(today)
    if presidency is None:
        return 0
    week = week_start(today)
    sent = 0
    for profile in readers():
        row = mailing.claim(DigestLog, user=profile.user, week_start=week)
        if row is None:
            continue
        digest = build(profile, presidency, today=today, now=now)
        if digest.is_empty:
            mailing.mark_sent(row, skipped=True)
            continue
        sent += mailing.send_claimed(
            row, failure=f"weekly digest for user {profile.user_id}",
            template="digest", to=profile.user.email, language=profile.language,
            context={"digest": digest, "user": profile.user, "today": today, "week_start": week,
                     "due_soon_days": DUE_SOON_DAYS, "period_days": PERIOD_DAYS},
            message_id=mailing.message_id("digest", profile.user_id, week.isoformat()),
        )
    return sent
