"""The workflow's rules: which moves are allowed, how refusals read, and the states derived from dates."""

import datetime as dt
import itertools

import pytest

from tracker import workflow
from tracker.errors import TransitionNotAllowed
from tracker.workflow import Status

# The agreed table, written out independently of tracker/workflow.py so a change there must be deliberate.
ALLOWED = {
    ("planned", "in_progress"), ("planned", "at_risk"), ("planned", "blocked"), ("planned", "done"),
    ("planned", "cancelled"),
    ("in_progress", "planned"), ("in_progress", "at_risk"), ("in_progress", "blocked"), ("in_progress", "done"),
    ("in_progress", "cancelled"),
    ("at_risk", "in_progress"), ("at_risk", "blocked"), ("at_risk", "done"), ("at_risk", "cancelled"),
    ("blocked", "in_progress"), ("blocked", "at_risk"), ("blocked", "cancelled"),
    ("done", "in_progress"),
    ("cancelled", "planned"),
}
ALL_PAIRS = [(a, b) for a, b in itertools.product(Status.values, repeat=2) if a != b]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition_passes(current, target):
    workflow.check_transition(current, target)
    assert workflow.can_transition(current, target)


@pytest.mark.parametrize(("current", "target"), sorted(set(ALL_PAIRS) - ALLOWED))
def test_refused_transition_raises_with_a_readable_message(current, target):
    with pytest.raises(TransitionNotAllowed) as info:
        workflow.check_transition(current, target)
    assert info.value.field == "status"
    assert info.value.message.endswith(".")
    assert not workflow.can_transition(current, target)


def test_cancelled_to_done_says_to_reopen_first():
    with pytest.raises(TransitionNotAllowed, match="A cancelled activity cannot be marked done; reopen it first"):
        workflow.check_transition(Status.CANCELLED, Status.DONE)


def test_moving_to_the_same_status_is_refused():
    with pytest.raises(TransitionNotAllowed, match="already done"):
        workflow.check_transition(Status.DONE, Status.DONE)


def test_unknown_status_is_named_in_the_refusal():
    with pytest.raises(TransitionNotAllowed, match="“finished” is not a status"):
        workflow.check_transition(Status.PLANNED, "finished")


def test_allowed_targets_lists_moves_in_display_order():
    assert workflow.allowed_targets(Status.BLOCKED) == ["in_progress", "at_risk", "cancelled"]


TODAY = dt.date(2023, 6, 15)


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("planned", dt.date(2023, 6, 14), True),
        ("in_progress", dt.date(2023, 6, 14), True),
        ("blocked", dt.date(2023, 1, 1), True),
        ("planned", TODAY, False),  # due today is not late yet
        ("planned", dt.date(2023, 6, 16), False),
        ("done", dt.date(2023, 6, 1), False),
        ("cancelled", dt.date(2023, 6, 1), False),
    ],
)
def test_overdue_means_deadline_passed_and_not_finished(status, due, expected):
    assert workflow.is_overdue(status=status, due_date=due, today=TODAY) is expected


def test_days_left_is_negative_once_the_deadline_has_passed():
    assert workflow.days_left(due_date=dt.date(2023, 6, 20), today=TODAY) == 5
    assert workflow.days_left(due_date=dt.date(2023, 6, 10), today=TODAY) == -5
    assert workflow.days_left(due_date=None, today=TODAY) is None


def test_progress_from_milestones_is_the_share_ticked():
    assert workflow.progress_from_milestones([True, False, False]) == 33
    assert workflow.progress_from_milestones([True, True]) == 100
    assert workflow.progress_from_milestones([]) is None
