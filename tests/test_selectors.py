"""The progress roll-up on a known data set, and reads that cost the same whatever the number of rows."""

import datetime as dt

import pytest

from tests import factories
from tracker import selectors
from tracker.workflow import Status

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 7, 1)


@pytest.fixture
def known_agenda(priorities, body):
    """Priority 1: planned (overdue, 20%), in progress (60%), done, cancelled.
    Priority 2: at risk (overdue, 10%), blocked (not yet due, 0%).
    Priorities 3 and 4: nothing."""
    p1, p2 = priorities[0], priorities[1]
    make = factories.ActivityFactory
    make(priority=p1, status=Status.PLANNED, progress=20, due_date=dt.date(2023, 6, 1), responsible_body=body)
    make(priority=p1, status=Status.IN_PROGRESS, progress=60, due_date=dt.date(2023, 9, 1), responsible_body=body)
    make(priority=p1, status=Status.DONE, progress=100, due_date=dt.date(2023, 5, 1), responsible_body=body)
    make(priority=p1, status=Status.CANCELLED, progress=50, due_date=dt.date(2023, 3, 1), responsible_body=body)
    make(priority=p2, status=Status.AT_RISK, progress=10, due_date=dt.date(2023, 6, 30), responsible_body=body)
    make(priority=p2, status=Status.BLOCKED, progress=0, due_date=dt.date(2023, 7, 1), responsible_body=body)
    return priorities


def test_priority_rollups_on_a_known_data_set(presidency, known_agenda):
    rollups = dict(selectors.priority_rollups(presidency, today=TODAY))
    p1, p2, p3, _p4 = known_agenda

    first = rollups[p1]
    assert first.total == 4
    assert first.counts == {"planned": 1, "in_progress": 1, "at_risk": 0, "blocked": 0, "done": 1, "cancelled": 1,
                                "handed_over": 0}
    assert first.overdue == 1  # the planned one; done and cancelled are never overdue
    assert first.percent_done == 33  # 1 done of 3 not cancelled
    assert first.mean_progress == 60  # (20 + 60 + 100) / 3, cancelled left out

    second = rollups[p2]
    assert (second.total, second.overdue, second.percent_done, second.mean_progress) == (2, 1, 0, 5)

    empty = rollups[p3]
    assert (empty.total, empty.percent_done, empty.mean_progress) == (0, 0, 0)


def test_presidency_rollup_adds_up_its_priorities(presidency, known_agenda):
    whole = selectors.presidency_rollup(presidency, today=TODAY)
    assert (whole.total, whole.done, whole.cancelled, whole.overdue) == (6, 1, 1, 2)
    assert whole.percent_done == 20  # 1 of 5
    assert whole.mean_progress == 38  # (20 + 60 + 100 + 10 + 0) / 5
    summed = sum((r for _p, r in selectors.priority_rollups(presidency, today=TODAY)), selectors.Rollup())
    assert summed.as_dict() == whole.as_dict()


def test_rollup_figures_serialise_for_screens_and_api(presidency, known_agenda):
    figures = selectors.presidency_rollup(presidency, today=TODAY).as_dict()
    assert figures["counts"]["done"] == 1
    assert set(figures) == {"total", "counts", "overdue", "percent_done", "mean_progress"}


@pytest.mark.parametrize("activities", [3, 60])
def test_rollup_query_count_does_not_grow_with_activities(presidency, priorities, body, activities,
                                                          django_assert_num_queries):
    factories.ActivityFactory.create_batch(activities, priority=priorities[0], responsible_body=body)
    with django_assert_num_queries(2):
        rollups = selectors.priority_rollups(presidency, today=TODAY)
        assert sum(r.total for _p, r in rollups) == activities
    with django_assert_num_queries(1):
        selectors.presidency_rollup(presidency, today=TODAY)


def test_current_presidency_prefers_the_one_in_progress(presidency):
    later = factories.PresidencyFactory(
        code="csto-2024", period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31)
    )
    assert selectors.current_presidency(dt.date(2023, 5, 1)) == presidency
    assert selectors.current_presidency(dt.date(2024, 5, 1)) == later
    assert selectors.current_presidency(dt.date(2026, 11, 27)) == later  # after all: the latest
    assert selectors.current_presidency(dt.date(2022, 1, 1)) == presidency  # before all: the first


def test_upcoming_deadlines_skip_finished_and_past(presidency, known_agenda):
    upcoming = selectors.upcoming_deadlines(presidency, today=TODAY)
    assert [a.status for a in upcoming] == ["blocked", "in_progress"]


@pytest.mark.parametrize("older", [0, 40])
def test_the_first_overdue_are_the_presidencys_longest_overdue_in_three_queries(
    presidency, priorities, body, older, django_assert_num_queries
):
    """The dashboard's overdue list (issue 18): another presidency's older overdue work never crowds it out,
    and its cost does not grow with the rows around it."""
    earlier = factories.PresidencyFactory(code="csto-2022", period_start=dt.date(2022, 1, 1),
                                          period_end=dt.date(2022, 12, 31))
    past = factories.PriorityFactory(presidency=earlier, number=1)
    factories.ActivityFactory.create_batch(older, priority=past, responsible_body=body, status=Status.PLANNED,
                                           start_date=dt.date(2022, 1, 10), due_date=dt.date(2022, 3, 1))
    make = factories.ActivityFactory
    due = [dt.date(2023, 6, day) for day in (20, 5, 12, 1)]
    mine = [make(priority=priorities[i % 2], responsible_body=body, status=Status.IN_PROGRESS, due_date=day)
            for i, day in enumerate(due)]
    make(priority=priorities[0], responsible_body=body, status=Status.DONE, due_date=dt.date(2023, 5, 1))
    make(priority=priorities[1], responsible_body=body, status=Status.PLANNED, due_date=dt.date(2023, 8, 1))
    with django_assert_num_queries(3):  # the ids, the rows, the rows' participating states
        first = list(selectors.overdue_activities(presidency, today=TODAY, limit=3))
    by_due = sorted(mine, key=lambda a: a.due_date)
    assert [a.pk for a in first] == [a.pk for a in by_due[:3]]
    everything = list(selectors.overdue_activities(presidency, today=TODAY))
    assert [a.pk for a in everything] == [a.pk for a in by_due]
