"""At risk and overdue (hourly).

At risk: an open activity whose due date is near (within AT_RISK_HORIZON_DAYS, not yet passed) and whose
progress lags the straight line from its start date to its due date by more than AT_RISK_MARGIN points
moves to at_risk through the workflow, as the system, with the reason in the note. Only planned and
in-progress activities are flagged: a blocked one already says something worse. Once a person moves it out
of at_risk, the job respects that until the deadline changes: it flags an activity once per due date.

Waiting: an open activity flagged "waiting on ..." by the schedule (a predecessor late, or due after this one
starts; tracker/selectors/schedule.py) moves to at_risk too, once per due date like the others.

Overdue: the first time an activity is seen overdue for a given due date, activity.overdue is emitted (an
OverdueNotice row records it, so the event goes out once). The reminders job emails about overdue work.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from tracker import clock, events, logtext, selectors, services, workflow
from tracker.errors import DomainError
from tracker.models import Activity, Channel, OverdueNotice, ProgressUpdate
from tracker.permissions import Actor
from tracker.selectors import schedule
from tracker.workflow import Status

logger = logging.getLogger(__name__)

#: Statuses the job moves to at_risk; each must be allowed to by the workflow.
FLAGGABLE: frozenset[str] = frozenset(
    s for s in (Status.PLANNED, Status.IN_PROGRESS) if workflow.can_transition(s, Status.AT_RISK)
)


def expected_progress(*, start: dt.date, due: dt.date, today: dt.date) -> int:
    """Where progress should be today on the straight line from 0% at the start to 100% at the due date."""
    if today <= start:
        return 0
    if today >= due:
        return 100
    return (100 * (today - start).days) // (due - start).days


def lag(activity: Activity, today: dt.date) -> tuple[int, int]:
    """(expected progress, points behind it) for an activity; without a start date, the line starts with
    the presidency."""
    start = activity.start_date or activity.priority.presidency.period_start
    expected = expected_progress(start=min(start, activity.due_date), due=activity.due_date, today=today)
    return expected, expected - activity.progress


def at_risk_candidates(today: dt.date, waiting: Iterable[int] = ()) -> list[Activity]:
    """Open activities near their deadline, and those waiting on a predecessor (issue 17) whatever their
    deadline, not yet flagged for their current due date."""
    already_flagged = ProgressUpdate.objects.filter(
        activity=OuterRef("pk"), channel=Channel.SYSTEM, new_status=Status.AT_RISK,
        new_due_date=OuterRef("due_date"),
    ).exclude(old_status=Status.AT_RISK)
    horizon = today + dt.timedelta(days=settings.AT_RISK_HORIZON_DAYS)
    return list(
        selectors.activity_list()
        .filter(status__in=list(FLAGGABLE))
        .filter(Q(due_date__gte=today, due_date__lte=horizon) | Q(pk__in=list(waiting)))
        .exclude(Exists(already_flagged))
        .order_by("due_date", "id")
    )


def flag_at_risk(today: dt.date | None = None) -> list[Activity]:
    """Move lagging activities to at_risk. Returns those moved."""
    today = today or clock.today()
    flagged = []
    # The schedule's flag feeds the rule: an activity waiting on a predecessor is at risk (issue 17).
    waiting = schedule.waiting_activities(today)
    for activity in at_risk_candidates(today, waiting):
        expected, behind = lag(activity, today)
        if activity.pk in waiting:
            event, params = logtext.FLAGGED_WAITING, dict(waiting[activity.pk])
        elif behind > settings.AT_RISK_MARGIN and activity.due_date >= today:
            # Stored as data, worded in each reader's language (tracker/logtext.py).
            event, params = logtext.FLAGGED_AT_RISK, {
                "progress": activity.progress, "behind": behind, "expected": expected,
                "days": (activity.due_date - today).days, "due": activity.due_date.isoformat()}
        else:
            continue
        try:
            flagged.append(services.activity_transition(
                actor=Actor.system(), activity=activity, status=Status.AT_RISK,
                event=event, event_params=params, expected_version=activity.version,
            ))
        except DomainError as exc:  # changed meanwhile (stale version, new status): the next run looks again
            logger.info("not flagging activity %s at risk: %s", activity.pk, exc.message)
    return flagged


def emit_overdue_events(today: dt.date | None = None) -> list[int]:
    """Emit activity.overdue once per activity and due date. Returns the activities' ids."""
    today = today or clock.today()
    noticed = OverdueNotice.objects.filter(activity=OuterRef("pk"), due_date=OuterRef("due_date"))
    overdue = (
        Activity.objects.filter(workflow.overdue_q(today)).exclude(Exists(noticed)).order_by("due_date", "id")
    )
    emitted = []
    for activity in overdue:
        with transaction.atomic():
            _, created = OverdueNotice.objects.get_or_create(activity=activity, due_date=activity.due_date)
            if created:
                events.emit(events.ACTIVITY_OVERDUE, activity, {
                    "due_date": activity.due_date.isoformat(), "days_overdue": (today - activity.due_date).days,
                })
                emitted.append(activity.pk)
    return emitted


@dataclass
class RiskRun:
    flagged: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def run(today: dt.date | None = None) -> RiskRun:
    today = today or clock.today()
    services.waiting_notify(today=today)  # successors that started waiting: watchers told once (issue 17)
    return RiskRun(flagged=[a.pk for a in flag_at_risk(today)], overdue=emit_overdue_events(today))
