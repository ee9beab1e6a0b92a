"""Writes through the services: workflow, versions, the progress log, milestones, permissions and events."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests import factories
from tracker import events, logtext, services
from tracker.errors import InvalidInput, NotPermitted, StaleVersion, TransitionNotAllowed
from tracker.models import Activity, Channel, OutboxEvent, ProgressUpdate
from tracker.permissions import Actor
from tracker.services import agenda as agenda_services

pytestmark = pytest.mark.django_db


def _new_activity_data(priority, body, **overrides):
    data = {
        "priority": priority, "title": "Meeting of heads of analytical institutes", "kind": "meeting",
        "start_date": dt.date(2023, 4, 1), "due_date": dt.date(2023, 6, 30), "responsible_body": body,
    }
    data.update(overrides)
    return data


def test_create_logs_the_first_status_and_writes_an_event(priorities, body, coordinator_actor):
    activity = services.activity_create(actor=coordinator_actor, data=_new_activity_data(priorities[3], body))
    assert activity.version == 1
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.old_status, log.new_status, log.channel, log.actor_name) == ("", "planned", "web", "coordinator")
    assert OutboxEvent.objects.filter(activity=activity, event_type=events.ACTIVITY_CREATED).count() == 1


def test_create_refuses_due_date_before_start_date(priorities, body, coordinator_actor):
    data = _new_activity_data(priorities[0], body, start_date=dt.date(2023, 5, 1), due_date=dt.date(2023, 4, 1))
    with pytest.raises(InvalidInput) as info:
        services.activity_create(actor=coordinator_actor, data=data)
    assert "due_date" in info.value.errors
    assert not Activity.objects.exists()


def test_create_refuses_a_date_far_outside_the_presidency_period(priorities, body, coordinator_actor):
    data = _new_activity_data(priorities[0], body, start_date=None, due_date=dt.date(2032, 6, 30))
    with pytest.raises(InvalidInput) as info:
        services.activity_create(actor=coordinator_actor, data=data)
    assert "too far outside the presidency period" in info.value.errors["due_date"][0]


def test_create_accepts_a_date_shortly_after_the_period(priorities, body, coordinator_actor):
    data = _new_activity_data(priorities[0], body, due_date=dt.date(2024, 1, 31))
    assert services.activity_create(actor=coordinator_actor, data=data).pk


def test_create_refuses_progress_over_100(priorities, body, coordinator_actor):
    with pytest.raises(InvalidInput) as info:
        services.activity_create(actor=coordinator_actor, data=_new_activity_data(priorities[0], body, progress=101))
    assert "progress" in info.value.errors


def test_create_refuses_unknown_fields(priorities, body, coordinator_actor):
    with pytest.raises(InvalidInput) as info:
        services.activity_create(actor=coordinator_actor, data=_new_activity_data(priorities[0], body, colour="red"))
    assert info.value.errors == {"colour": ["Unknown field."]}


def test_transition_bumps_version_and_logs_old_and_new_status(activity, editor_actor):
    updated = services.activity_transition(actor=editor_actor, activity=activity, status="in_progress", note="Go")
    assert (updated.status, updated.version) == ("in_progress", 2)
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.old_status, log.new_status, log.note) == ("planned", "in_progress", "Go")


def test_done_sets_completed_date_and_full_progress(activity, editor_actor):
    done = services.activity_transition(actor=editor_actor, activity=activity, status="done")
    assert done.completed_date == timezone.localdate()
    assert done.progress == 100


def test_reopening_clears_the_completed_date(activity, editor_actor):
    services.activity_transition(actor=editor_actor, activity=activity, status="done")
    reopened = services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
    assert reopened.completed_date is None
    assert reopened.status == "in_progress"


def test_refused_transition_changes_nothing(activity, editor_actor):
    services.activity_transition(actor=editor_actor, activity=activity, status="cancelled")
    with pytest.raises(TransitionNotAllowed, match="reopen it first"):
        services.activity_transition(actor=editor_actor, activity=activity, status="done")
    activity.refresh_from_db()
    assert (activity.status, activity.version) == ("cancelled", 2)
    assert ProgressUpdate.objects.filter(activity=activity).count() == 1


def test_stale_version_is_refused_with_the_current_one(activity, editor_actor):
    services.progress_report(actor=editor_actor, activity=activity, progress=10)
    with pytest.raises(StaleVersion) as info:
        services.progress_report(actor=editor_actor, activity=activity, progress=20, expected_version=1)
    assert info.value.current_version == 2
    activity.refresh_from_db()
    assert activity.progress == 10


def test_progress_on_a_planned_activity_starts_it(activity, editor_actor):
    updated = services.progress_report(actor=editor_actor, activity=activity, progress=30, note="Planning done")
    assert (updated.status, updated.progress) == ("in_progress", 30)
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.old_progress, log.new_progress, log.note) == (0, 30, "Planning done")


def test_progress_report_with_only_a_note_is_logged(activity, editor_actor):
    services.progress_report(actor=editor_actor, activity=activity, note="Venue confirmed")
    assert ProgressUpdate.objects.get(activity=activity).note == "Venue confirmed"


def test_update_with_the_same_values_makes_no_new_version(activity, editor_actor):
    updated = services.activity_update(
        actor=editor_actor, activity=activity, changes={"title": activity.title, "due_date": activity.due_date}
    )
    assert updated.version == 1
    assert not OutboxEvent.objects.exists()


def test_due_date_change_is_logged(activity, editor_actor):
    services.activity_update(actor=editor_actor, activity=activity, changes={"due_date": dt.date(2023, 10, 15)})
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.old_due_date, log.new_due_date) == (dt.date(2023, 9, 30), dt.date(2023, 10, 15))


def test_status_change_through_update_obeys_the_workflow(activity, editor_actor):
    services.activity_transition(actor=editor_actor, activity=activity, status="blocked")
    with pytest.raises(TransitionNotAllowed, match="blocked activity cannot be marked done"):
        services.activity_update(actor=editor_actor, activity=activity, changes={"status": "done"})


def test_editor_cannot_change_activity_of_another_body(activity, outsider):
    with pytest.raises(NotPermitted, match="another body"):
        services.progress_report(actor=Actor.for_user(outsider), activity=activity, progress=50)
    activity.refresh_from_db()
    assert activity.progress == 0


def test_viewer_cannot_change_anything(activity, viewer):
    with pytest.raises(NotPermitted, match="read-only"):
        services.activity_transition(actor=Actor.for_user(viewer), activity=activity, status="in_progress")


def test_editor_cannot_move_activity_to_a_body_that_is_not_theirs(activity, editor_actor, other_body):
    with pytest.raises(NotPermitted):
        services.activity_update(actor=editor_actor, activity=activity, changes={"responsible_body": other_body})


def test_only_coordinators_delete(activity, editor_actor, coordinator_actor):
    with pytest.raises(NotPermitted):
        services.activity_delete(actor=editor_actor, activity=activity)
    services.activity_delete(actor=coordinator_actor, activity=activity)
    assert not Activity.objects.exists()
    assert OutboxEvent.objects.get().event_type == events.ACTIVITY_DELETED


def test_api_client_writes_are_logged_with_the_client_name(activity, body):
    client, _key = factories.make_api_client("mod-planning", bodies=[body])
    services.progress_report(actor=Actor.for_client(client), activity=activity, progress=40)
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.channel, log.actor_name, log.api_client) == (Channel.API, "mod-planning", client)


def test_read_only_client_cannot_write(activity):
    client, _key = factories.make_api_client("reader", scope="read")
    with pytest.raises(NotPermitted):
        services.progress_report(actor=Actor.for_client(client), activity=activity, progress=40)


# --- Milestones ----------------------------------------------------------------------------------------

def test_milestones_drive_progress(activity, editor_actor):
    first = services.milestone_create(actor=editor_actor, activity=activity, title="Concept agreed")
    services.milestone_create(actor=editor_actor, activity=activity, title="Forces assigned")
    services.milestone_create(actor=editor_actor, activity=activity, title="Exercise held")
    services.milestone_toggle(actor=editor_actor, milestone=first)
    activity.refresh_from_db()
    assert (activity.progress, activity.status) == (33, "in_progress")
    assert ProgressUpdate.objects.filter(activity=activity, new_progress=33).exists()
    assert OutboxEvent.objects.filter(event_type=events.MILESTONE_COMPLETED).count() == 1


def test_unticking_a_milestone_lowers_progress(activity, editor_actor):
    first = services.milestone_create(actor=editor_actor, activity=activity, title="A", done=True)
    services.milestone_create(actor=editor_actor, activity=activity, title="B")
    services.milestone_toggle(actor=editor_actor, milestone=first, done=False)
    activity.refresh_from_db()
    assert activity.progress == 0


def test_progress_cannot_be_reported_by_hand_when_milestones_drive_it(activity, editor_actor):
    services.milestone_create(actor=editor_actor, activity=activity, title="A")
    with pytest.raises(InvalidInput, match="follows its milestones"):
        services.progress_report(actor=editor_actor, activity=activity, progress=80)


def test_outsider_cannot_tick_a_milestone(activity, editor_actor, outsider):
    milestone = services.milestone_create(actor=editor_actor, activity=activity, title="A")
    with pytest.raises(NotPermitted):
        services.milestone_toggle(actor=Actor.for_user(outsider), milestone=milestone)


# --- Outbox: events only for what committed -----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event(activity, editor_actor):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
        raise RuntimeError("the caller failed after the service")
    assert not OutboxEvent.objects.exists()
    activity.refresh_from_db()
    assert activity.status == "planned"


@pytest.mark.django_db(transaction=True)
def test_listeners_hear_of_events_only_after_commit(activity, editor_actor):
    heard = []
    events.after_commit_listeners.append(heard.extend)
    try:
        with transaction.atomic():
            services.activity_transition(actor=editor_actor, activity=activity, status="in_progress")
            assert heard == []
        assert {str(e.pk) for e in OutboxEvent.objects.all()} == set(heard)
    finally:
        events.after_commit_listeners.remove(heard.extend)


# --- Upserts by reference -------------------------------------------------------------------------------

def test_upsert_by_ref_creates_then_updates(priorities, body, coordinator_actor):
    data = _new_activity_data(priorities[1], body)
    first, created = services.activity_upsert_by_ref(actor=coordinator_actor, source="mfa-docs", ref="42", data=data)
    again, created_again = services.activity_upsert_by_ref(
        actor=coordinator_actor, source="mfa-docs", ref="42", data={**data, "title": "Renamed"}
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk and again.title == "Renamed"
    assert Activity.objects.count() == 1


def test_an_upsert_that_meets_a_reference_created_since_its_look_up_updates_it(
    priorities, body, coordinator_actor, monkeypatch
):
    """Two first calls race: the other committed between this call's look-up and the model's unique check
    (seen under load on PostgreSQL as a 400 naming the reference). This call must update that row instead."""
    data = _new_activity_data(priorities[1], body)
    winner, _ = services.activity_upsert_by_ref(actor=coordinator_actor, source="mfa-docs", ref="7", data=data)
    look_ups = iter([None])  # the first look-up misses the row, as it did before the other call committed
    real = agenda_services._find_by_reference
    monkeypatch.setattr(agenda_services, "_find_by_reference", lambda source, ref: next(look_ups, real(source, ref)))
    again, created = services.activity_upsert_by_ref(
        actor=coordinator_actor, source="mfa-docs", ref="7", data={**data, "title": "Renamed"}
    )
    assert (again.pk, created, again.title) == (winner.pk, False, "Renamed")
    assert Activity.objects.filter(external_source="mfa-docs", external_id="7").count() == 1


def test_bulk_upsert_is_all_or_nothing_and_names_every_bad_item(priorities, body, coordinator_actor):
    good = {**_new_activity_data(priorities[1], body), "external_source": "sys", "external_id": "1"}
    bad_dates = {**good, "external_id": "2", "start_date": dt.date(2023, 9, 1), "due_date": dt.date(2023, 8, 1)}
    bad_progress = {**good, "external_id": "3", "progress": 150}
    with pytest.raises(services.BulkInvalid) as info:
        services.activities_bulk_upsert(actor=coordinator_actor, items=[good, bad_dates, bad_progress])
    assert set(info.value.item_errors) == {1, 2}
    assert "due_date" in info.value.item_errors[1]
    assert "progress" in info.value.item_errors[2]
    assert not Activity.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_long_note_is_kept_whole_in_the_log_and_shortened_in_the_field_history(activity, editor_actor):
    note = "Delayed: " + "the host ministry has not yet confirmed the training ground and the dates. " * 4
    services.activity_transition(actor=editor_actor, activity=activity, status="at_risk", note=note)
    assert ProgressUpdate.objects.get(activity=activity).note == note
    reason = activity.history.latest("history_date").history_change_reason
    assert len(reason) <= 100 and logtext.api_reason(reason).startswith("web: editor — Delayed:")
