"""The board's reads in tracker/selectors.py, with `today` injected so the figures are deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.web.conftest import bulk_activities
from tracker import selectors, services
from tracker.models import Activity
from tracker.permissions import Actor
from tracker.workflow import Status

pytestmark = pytest.mark.django_db

MID_YEAR = dt.date(2023, 6, 15)


def test_board_columns_count_every_activity_but_draw_only_the_first_of_each_column(
    presidency, priorities, body, django_assert_num_queries
):
    bulk_activities([priorities[0]], [body], 9, statuses=[Status.PLANNED])
    with django_assert_num_queries(3):
        lanes = selectors.board_columns(presidency, Activity.objects.all(), today=MID_YEAR, limit=4)
    planned = lanes[0].columns[0]
    assert (planned.status, planned.count, len(planned.cards), planned.hidden) == ("planned", 9, 4, 5)
    assert [c.due_date for c in planned.cards] == sorted(c.due_date for c in planned.cards)  # soonest first
    assert [lane.priority.number for lane in lanes] == [1, 2, 3, 4]
    assert [column.status for column in lanes[1].columns] == Status.values


def test_board_columns_mark_overdue_and_due_soon_from_the_given_today(presidency, priorities, body):
    late = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 6, 1))
    soon = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 6, 20))
    later = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 9, 1))
    cards = {c.pk: c for c in selectors.board_columns(presidency, Activity.objects.all(), today=MID_YEAR)[0]
             .columns[0].cards}
    assert (cards[late.pk].overdue, cards[late.pk].due_soon) == (True, False)
    assert (cards[soon.pk].overdue, cards[soon.pk].due_soon, cards[soon.pk].days_remaining) == (False, True, 5)
    assert (cards[later.pk].overdue, cards[later.pk].due_soon) == (False, False)


def test_next_deadline_by_priority_is_the_soonest_open_deadline_from_today(
    presidency, priorities, body, django_assert_num_queries
):
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 6, 1))
    nearest = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 7, 1))
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 8, 1))
    factories.ActivityFactory(priority=priorities[1], responsible_body=body, due_date=dt.date(2023, 6, 20),
                              status=Status.DONE)
    with django_assert_num_queries(1):
        result = selectors.next_deadline_by_priority(presidency, MID_YEAR)
    assert result == {priorities[0].pk: nearest}


def test_burnup_series_counts_deadlines_reached_and_completions_by_each_week(presidency, priorities, body):
    def make(due, status=Status.PLANNED, completed=None):
        return factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=due, status=status,
                                         completed_date=completed, start_date=None)

    make(dt.date(2023, 1, 31), Status.DONE, dt.date(2023, 1, 20))
    make(dt.date(2023, 3, 31), Status.DONE, dt.date(2023, 4, 10))
    make(dt.date(2023, 6, 30))
    make(dt.date(2023, 5, 31), Status.CANCELLED)  # not part of the scope
    make(dt.date(2023, 12, 15))
    series = selectors.burnup_series(presidency, today=MID_YEAR)
    assert series.scope == 4
    by_day = {point.day: point for point in series.points}
    assert (by_day[dt.date(2023, 1, 1)].planned, by_day[dt.date(2023, 1, 1)].done) == (0, 0)
    assert (by_day[dt.date(2023, 2, 5)].planned, by_day[dt.date(2023, 2, 5)].done) == (1, 1)
    assert (by_day[dt.date(2023, 4, 16)].planned, by_day[dt.date(2023, 4, 16)].done) == (2, 2)
    assert (by_day[MID_YEAR].planned, by_day[MID_YEAR].done) == (2, 2)  # a point for today
    assert by_day[dt.date(2023, 6, 18)].done is None  # the future has no done figure yet
    assert by_day[dt.date(2023, 12, 31)].planned == 4


def test_burnup_uses_a_days_snapshot_where_one_was_taken(presidency, priorities, body):
    from tracker.models import DailySnapshot

    factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 3, 31),
                              status=Status.DONE, completed_date=dt.date(2023, 5, 10), start_date=None)
    # On 2 April the tracker recorded one activity done (it was reopened later and finished again in May).
    DailySnapshot.objects.create(presidency=presidency, day=dt.date(2023, 4, 2), total=1, done=1)
    by_day = {point.day: point for point in selectors.burnup_series(presidency, today=MID_YEAR).points}
    assert by_day[dt.date(2023, 4, 2)].done == 1  # from the snapshot
    assert by_day[dt.date(2023, 4, 9)].done == 0  # no snapshot: from completion dates


def test_burnup_after_the_period_counts_late_completions_at_its_end(presidency, priorities, body):
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 12, 15),
                              status=Status.DONE, completed_date=dt.date(2024, 2, 1))
    series = selectors.burnup_series(presidency, today=dt.date(2026, 11, 27))
    assert series.points[-1].day == dt.date(2023, 12, 31)
    assert (series.points[-1].planned, series.points[-1].done) == (1, 1)
    assert series.points[-2].done == 0


def test_calendar_month_places_deadlines_milestones_and_event_starts_on_their_days(
    presidency, priorities, body, django_assert_num_queries
):
    meeting = factories.ActivityFactory(
        priority=priorities[0], responsible_body=body, kind=Activity.Kind.MEETING,
        start_date=dt.date(2023, 6, 5), due_date=dt.date(2023, 6, 6),
    )
    document = factories.ActivityFactory(
        priority=priorities[0], responsible_body=body, kind=Activity.Kind.DOCUMENT,
        start_date=dt.date(2023, 6, 1), due_date=dt.date(2023, 7, 2),
    )
    factories.MilestoneFactory(activity=document, title="Draft circulated", due_date=dt.date(2023, 6, 20))
    with django_assert_num_queries(2):
        month = selectors.calendar_month(Activity.objects.all(), 2023, 6, today=MID_YEAR)
    days = {day.day: day for week in month.weeks for day in week}
    assert [(i.kind, i.activity) for i in days[dt.date(2023, 6, 5)].items] == [("start", meeting)]
    assert [(i.kind, i.activity) for i in days[dt.date(2023, 6, 6)].items] == [("deadline", meeting)]
    assert [(i.kind, i.title) for i in days[dt.date(2023, 6, 20)].items] == [("milestone", "Draft circulated")]
    assert days[dt.date(2023, 6, 1)].items == []  # a document's start is not an event
    assert days[dt.date(2023, 7, 2)].items and not days[dt.date(2023, 7, 2)].in_month  # the grid's last week
    assert month.item_count == 3 and days[MID_YEAR].is_today
    assert month.weeks[0][0].day == dt.date(2023, 5, 29)  # weeks start on Monday
    assert (month.previous, month.next) == (dt.date(2023, 5, 1), dt.date(2023, 7, 1))


def test_timeline_rows_group_activities_by_priority_with_their_milestones(
    presidency, priorities, body, django_assert_num_queries
):
    activity = factories.ActivityFactory(priority=priorities[1], responsible_body=body)
    factories.MilestoneFactory(activity=activity, order=2, title="Second")
    factories.MilestoneFactory(activity=activity, order=1, title="First")
    with django_assert_num_queries(4):
        groups = selectors.timeline_rows(presidency, Activity.objects.all(), today=MID_YEAR)
        titles = [m.title for m in groups[1].rows[0].timeline_milestones]
    assert [len(g.rows) for g in groups] == [0, 1, 0, 0]
    assert titles == ["First", "Second"]


def test_timeline_rows_draw_at_most_the_limit_per_priority_with_true_counts(presidency, priorities, body):
    starts = [dt.date(2023, 5, 1), None, dt.date(2023, 2, 1), dt.date(2023, 3, 1)]
    made = [factories.ActivityFactory(priority=priorities[0], responsible_body=body, start_date=start,
                                      due_date=dt.date(2023, 6, 30)) for start in starts]
    groups = selectors.timeline_rows(presidency, Activity.objects.all(), today=MID_YEAR, limit=2)
    assert [row.pk for row in groups[0].rows] == [made[2].pk, made[3].pk]  # earliest start first
    assert (groups[0].count, groups[0].hidden) == (4, 2)
    everything = selectors.timeline_rows(presidency, Activity.objects.all(), today=MID_YEAR)
    assert [row.pk for row in everything[0].rows] == [made[2].pk, made[3].pk, made[0].pk, made[1].pk]


def test_activity_history_names_what_changed_from_what_to_what(priorities, body, other_body):
    activity = services.activity_create(actor=Actor.system(), data={
        "priority": priorities[0], "title": "Meeting in Minsk", "due_date": dt.date(2023, 6, 30),
        "responsible_body": body,
    })
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    services.activity_update(actor=Actor.system(), activity=activity, changes={
        "responsible_body": other_body, "participating_states": [kz], "kind": Activity.Kind.DIALOGUE,
    }, note="Handed over")
    entries = selectors.activity_history(activity)
    changes = {c.field: (c.old, c.new) for entry in entries for c in entry.changes}
    assert changes["responsible_body"] == ("Ministry of Defence of Belarus", "Ministry of Foreign Affairs of Belarus")
    assert changes["kind"] == ("Other", "Dialogue")
    assert changes["participating_states"] == ("—", "Kazakhstan")
    assert entries[-1].kind == "+"
    assert any("Handed over" in entry.who for entry in entries)


def test_year_report_lists_each_priority_with_its_rollup_and_activities(presidency, priorities, body):
    factories.ActivityFactory(priority=priorities[3], responsible_body=body, status=Status.DONE, progress=100)
    factories.ActivityFactory(priority=priorities[3], responsible_body=body, progress=50)
    sections = selectors.year_report(presidency, today=MID_YEAR)
    priority, rollup, activities = sections[3]
    assert priority == priorities[3] and len(activities) == 2
    assert (rollup.total, rollup.done, rollup.percent_done, rollup.mean_progress) == (2, 1, 50, 75)
