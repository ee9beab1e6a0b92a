"""At risk and overdue: lagging activities near their deadline are flagged through the workflow, once per
deadline; activity.overdue is emitted once per activity and deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from tests import factories
from tracker import events, services
from tracker.jobs import risk
from tracker.models import Channel, OutboxEvent, ProgressUpdate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 9, 20)  # the activity fixture runs 2023-03-01 → 2023-09-30: 95% of the way by today


def _at(activity, **fields):
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save()
    return activity


@pytest.mark.parametrize(("start", "due", "today", "expected"), [
    (dt.date(2023, 1, 1), dt.date(2023, 1, 11), dt.date(2023, 1, 6), 50),
    (dt.date(2023, 1, 1), dt.date(2023, 1, 11), dt.date(2022, 12, 1), 0),
    (dt.date(2023, 1, 1), dt.date(2023, 1, 11), dt.date(2023, 1, 11), 100),
    (dt.date(2023, 1, 1), dt.date(2023, 1, 1), dt.date(2023, 1, 1), 0),
])
def test_expected_progress_follows_the_straight_line_from_start_to_due_date(start, due, today, expected):
    assert risk.expected_progress(start=start, due=due, today=today) == expected


def test_lagging_activity_near_its_deadline_becomes_at_risk_as_the_system(activity):
    _at(activity, status="in_progress", progress=40)
    flagged = risk.flag_at_risk(TODAY)
    assert [a.pk for a in flagged] == [activity.pk]
    activity.refresh_from_db()
    assert activity.status == "at_risk"
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.channel, log.actor_name, log.old_status) == (Channel.SYSTEM, "system", "in_progress")
    assert "40% is 55 points behind the 95%" in log.display_note
    with translation.override("ru"):
        assert "40% is 55" not in log.display_note  # stored as data, worded in the reader's language
    assert OutboxEvent.objects.filter(activity=activity, event_type=events.ACTIVITY_STATUS_CHANGED).exists()


def test_activity_on_track_or_within_the_margin_is_left_alone(activity, settings):
    settings.AT_RISK_MARGIN = 25
    _at(activity, status="in_progress", progress=70)  # 25 points behind: not more than the margin
    assert risk.flag_at_risk(TODAY) == []
    assert activity.status == "in_progress"


def test_the_margin_is_a_setting(activity, settings):
    _at(activity, status="in_progress", progress=40)
    settings.AT_RISK_MARGIN = 60
    assert risk.flag_at_risk(TODAY) == []
    settings.AT_RISK_MARGIN = 50
    assert len(risk.flag_at_risk(TODAY)) == 1


def test_activity_whose_deadline_is_far_off_is_not_flagged(activity, settings):
    settings.AT_RISK_HORIZON_DAYS = 5
    _at(activity, status="planned", progress=0)
    assert risk.flag_at_risk(TODAY) == []
    settings.AT_RISK_HORIZON_DAYS = 10
    assert len(risk.flag_at_risk(TODAY)) == 1


@pytest.mark.parametrize("status", ["blocked", "done", "cancelled", "at_risk"])
def test_blocked_closed_or_already_at_risk_activities_are_not_flagged(activity, status):
    _at(activity, status=status, progress=10)
    assert risk.flag_at_risk(TODAY) == []


def test_a_person_who_clears_the_flag_is_not_overruled_until_the_deadline_moves(activity, editor_actor):
    _at(activity, status="in_progress", progress=40)
    risk.flag_at_risk(TODAY)
    activity.refresh_from_db()
    services.activity_transition(actor=editor_actor, activity=activity, status="in_progress", note="We are fine")
    assert risk.flag_at_risk(TODAY) == []
    activity.refresh_from_db()
    services.activity_update(actor=editor_actor, activity=activity, changes={"due_date": dt.date(2023, 9, 28)})
    assert len(risk.flag_at_risk(TODAY)) == 1


def test_overdue_event_is_emitted_once_per_activity_and_deadline(activity, editor_actor):
    day_after = dt.date(2023, 10, 1)
    assert risk.emit_overdue_events(day_after) == [activity.pk]
    assert risk.emit_overdue_events(day_after) == []
    assert risk.emit_overdue_events(day_after + dt.timedelta(days=3)) == []
    event = OutboxEvent.objects.get(event_type=events.ACTIVITY_OVERDUE)
    assert event.payload["due_date"] == "2023-09-30"
    # A new deadline that passes too is a new overdue event.
    services.activity_update(actor=editor_actor, activity=activity, changes={"due_date": dt.date(2023, 10, 10)})
    assert risk.emit_overdue_events(dt.date(2023, 10, 11)) == [activity.pk]


def test_closed_activities_are_never_overdue(activity, priorities, body):
    _at(activity, status="done", progress=100)
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, status="cancelled")
    assert risk.emit_overdue_events(dt.date(2023, 12, 1)) == []


def test_run_reports_both_kinds(activity, priorities, body):
    _at(activity, status="in_progress", progress=10)
    late = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 9, 1))
    result = risk.run(TODAY)
    assert (result.flagged, result.overdue) == ([activity.pk], [late.pk])
