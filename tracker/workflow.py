"""The activity workflow: statuses, the transitions between them, and the states derived from dates.

This module is the only place these rules are written. Services enforce them on every write; the admin,
the web board, the API and the background jobs all reach them through the services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.errors import TransitionNotAllowed


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    AT_RISK = "at_risk", _("At risk")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    #: Carried over to the next presidency's agenda, where a copy goes on (services/commitments.py).
    HANDED_OVER = "handed_over", _("Handed over")


#: Statuses in which work is finished; such activities are never overdue.
CLOSED_STATUSES: frozenset[str] = frozenset({Status.DONE, Status.CANCELLED, Status.HANDED_OVER})
OPEN_STATUSES: frozenset[str] = frozenset(s for s in Status.values if s not in CLOSED_STATUSES)

#: The allowed moves, from each status to the statuses it may go to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.AT_RISK, Status.BLOCKED, Status.DONE, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.PLANNED, Status.AT_RISK, Status.BLOCKED, Status.DONE, Status.CANCELLED}),
    Status.AT_RISK: frozenset({Status.IN_PROGRESS, Status.BLOCKED, Status.DONE, Status.CANCELLED}),
    Status.BLOCKED: frozenset({Status.IN_PROGRESS, Status.AT_RISK, Status.CANCELLED}),
    # Reopening: a finished activity goes back to work (done) or back to the plan (cancelled).
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset({Status.PLANNED}),
    # Final: the work goes on in the successor's copy. Nothing moves here by hand (see check_handover).
    Status.HANDED_OVER: frozenset(),
}

# Messages for refusals that have a specific way out; every other refusal gets the generic message.
_REFUSAL_MESSAGES = {
    (Status.CANCELLED, Status.DONE): _("A cancelled activity cannot be marked done; reopen it first."),
    (Status.CANCELLED, Status.IN_PROGRESS): _("A cancelled activity cannot be started; reopen it first."),
    (Status.CANCELLED, Status.AT_RISK): _("A cancelled activity cannot be at risk; reopen it first."),
    (Status.CANCELLED, Status.BLOCKED): _("A cancelled activity cannot be blocked; reopen it first."),
    (Status.BLOCKED, Status.DONE): _(
        "A blocked activity cannot be marked done; move it back to in progress first."
    ),
    (Status.DONE, Status.CANCELLED): _("A done activity cannot be cancelled; reopen it first."),
    (Status.DONE, Status.PLANNED): _("A done activity cannot go back to planned; reopen it as in progress."),
    (Status.DONE, Status.AT_RISK): _("A done activity cannot be at risk; reopen it first."),
    (Status.DONE, Status.BLOCKED): _("A done activity cannot be blocked; reopen it first."),
}


def label(status: str) -> str:
    return str(Status(status).label)


def allowed_targets(current: str) -> list[str]:
    """The statuses an activity in `current` may move to, in display order."""
    return list(_ALLOWED_IN_ORDER.get(current, ()))


# Worked out once: every API representation of an activity lists them.
_ALLOWED_IN_ORDER = {
    current: tuple(s for s in Status.values if s in targets) for current, targets in TRANSITIONS.items()
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


#: Status.values builds its list (with the labels) on every use: a bulk request checks 500 transitions.
_STATUS_VALUES: frozenset[str] = frozenset(Status.values)


def check_transition(current: str, target: str) -> None:
    """Raise TransitionNotAllowed with a message a person can act on, unless current -> target is allowed."""
    if target not in _STATUS_VALUES:
        raise TransitionNotAllowed(
            _("“%(status)s” is not a status. Use one of: %(choices)s.")
            % {"status": target, "choices": ", ".join(Status.values)},
            field="status",
        )
    if current == target:
        raise TransitionNotAllowed(
            _("The activity is already %(status)s.") % {"status": label(target).lower()}, field="status"
        )
    if current == Status.HANDED_OVER:
        raise TransitionNotAllowed(
            _("This activity was handed over to the next presidency; its copy there goes on instead."),
            field="status",
        )
    if target == Status.HANDED_OVER:
        raise TransitionNotAllowed(
            _("An activity is handed over by carrying it over to the next presidency, on the handover page."),
            field="status",
        )
    if can_transition(current, target):
        return
    specific = _REFUSAL_MESSAGES.get((current, target))
    if specific:
        raise TransitionNotAllowed(str(specific), field="status")  # these already name the way out
    message = _("An activity that is %(current)s cannot move to %(target)s.") % {
        "current": label(current).lower(), "target": label(target).lower()}
    raise TransitionNotAllowed(f"{message} {allowed_moves_text(current)}", field="status")


def allowed_moves_text(current: str) -> str:
    """The way out of a refused move: the statuses allowed from `current`."""
    return _("From %(current)s it can move to: %(targets)s.") % {
        "current": label(current).lower(),
        "targets": ", ".join(label(target).lower() for target in allowed_targets(current)),
    }


def check_handover(current: str) -> None:
    """Only open work is carried over to the next presidency; the one way into HANDED_OVER."""
    if current not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            _("Only open activities are carried over; this one is %(status)s.") % {"status": label(current).lower()},
            field="status",
        )


def is_reopening(current: str, target: str) -> bool:
    return current in CLOSED_STATUSES and target not in CLOSED_STATUSES


def status_after_progress(current: str, progress: int) -> str:
    """Reporting progress on a planned activity means work has started."""
    if current == Status.PLANNED and progress > 0:
        return Status.IN_PROGRESS
    return current


# --- Derived states: computed from dates, never stored by hand ---------------------------------------------

def is_overdue(*, status: str, due_date: dt.date | None, today: dt.date) -> bool:
    return due_date is not None and due_date < today and status not in CLOSED_STATUSES


def days_left(*, due_date: dt.date | None, today: dt.date) -> int | None:
    """Days until the deadline: negative when it has passed, None when there is none."""
    if due_date is None:
        return None
    return (due_date - today).days


def is_due_soon(*, status: str, due_date: dt.date | None, today: dt.date, within_days: int) -> bool:
    left = days_left(due_date=due_date, today=today)
    return left is not None and 0 <= left <= within_days and status not in CLOSED_STATUSES


def overdue_q(today: dt.date) -> models.Q:
    """The database form of is_overdue, for filters and roll-ups."""
    return models.Q(due_date__lt=today) & ~models.Q(status__in=list(CLOSED_STATUSES))


def progress_from_milestones(done_flags: Iterable[bool]) -> int | None:
    """Progress of an activity that has milestones: the share ticked, rounded down. None without any."""
    flags = list(done_flags)
    if not flags:
        return None
    return (100 * sum(1 for f in flags if f)) // len(flags)
