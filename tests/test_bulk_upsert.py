"""Bulk upserts by reference: the set-based path gives what the same items one by one would give, in a
number of queries that does not grow with the batch, and falls back to item by item where order matters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction

from tests import factories
from tracker import events, services
from tracker.models import Activity, OutboxEvent, Priority, ProgressUpdate
from tracker.permissions import Actor
from tracker.services import agenda as item_by_item
from tracker.services import bulk

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _item(priority, body, ref, **extra):
    return {"external_source": "sys", "external_id": ref, "priority": priority, "title": f"Item {ref}",
            "kind": "meeting", "start_date": dt.date(2023, 3, 1), "due_date": dt.date(2023, 6, 30),
            "responsible_body": body, **extra}


def _ref(activity_id):
    return Activity.objects.filter(pk=activity_id).values_list("external_source", "external_id").first() or activity_id


def _snapshot():
    """Everything a user could see of the agenda's activities, keyed by reference rather than by id (ids
    of rolled-back rows are not reused on PostgreSQL)."""
    activities = {
        (a.external_source, a.external_id): (
            a.code, a.title, a.kind, a.status, a.progress, a.start_date, a.due_date, a.completed_date, a.version,
            a.priority_id, a.responsible_body_id, a.lead_state_id, a.location,
            sorted(a.participating_states.values_list("pk", flat=True)),
        )
        for a in Activity.objects.all()
    }
    log = [
        (_ref(u.activity_id), u.actor_name, u.channel, u.old_status, u.new_status, u.old_progress, u.new_progress,
         u.old_due_date, u.new_due_date, u.note, u.user_id, u.api_client_id)
        for u in ProgressUpdate.objects.order_by("id")
    ]
    history = [
        (_ref(h.id), h.history_type, h.history_change_reason, h.history_user_id, h.version, h.status, h.progress,
         h.title, h.completed_date, sorted(h.participating_states.values_list("memberstate_id", flat=True)))
        for h in Activity.history.order_by("history_id")
    ]
    outbox = []
    for e in OutboxEvent.objects.order_by("created_at", "event_type"):
        payload = dict(e.payload)
        payload["activity"] = {k: v for k, v in payload["activity"].items() if k != "id"}
        # The frozen body webhooks send: the activity as saved then, with its related rows' codes.
        body = json.loads(e.body)
        shown = {k: v for k, v in body["activity"].items() if k not in ("id", "created_at", "updated_at")}
        outbox.append((e.event_type, _ref(e.activity_id), payload, body["type"], body["data"], shown))
    return {"activities": activities, "log": log, "history": history, "outbox": outbox}


def _one_by_one(actor, items, note):
    """The per-item path's outcome (results and everything written), then roll it back."""
    try:
        with transaction.atomic():
            try:
                results = item_by_item._bulk_upsert_item_by_item(actor=actor, items=[dict(i) for i in items], note=note)
            except services.BulkInvalid as exc:
                outcome = ("refused", exc.item_errors, exc.item_codes)
            else:
                outcome = ("ok", [((a.external_source, a.external_id), a.version, created) for a, created in results])
            snapshot = _snapshot()
            raise _Rollback()
    except _Rollback:
        pass
    return outcome, snapshot


def _set_based(actor, items, note, monkeypatch):
    """The service's outcome, failing the test if it fell back to the per-item path."""
    def no_fallback(**_kwargs):
        raise AssertionError("the set-based path gave up")

    monkeypatch.setattr(item_by_item, "_bulk_upsert_item_by_item", no_fallback)
    try:
        results = services.activities_bulk_upsert(actor=actor, items=items, note=note)
    except services.BulkInvalid as exc:
        outcome = ("refused", exc.item_errors, exc.item_codes)
    else:
        outcome = ("ok", [((a.external_source, a.external_id), a.version, created) for a, created in results])
    monkeypatch.undo()
    return outcome, _snapshot()


@pytest.fixture
def agenda(priorities, body, other_body, coordinator_actor):
    """Activities another system created earlier, in several states, some with participating states."""
    states = [factories.MemberStateFactory(code=c) for c in ("AM", "KZ", "KG")]
    p = priorities[1]
    services.activities_bulk_upsert(actor=coordinator_actor, items=[
        _item(p, body, "planned"),
        _item(p, body, "started", progress=30),
        _item(p, body, "cancelled", status="cancelled"),
        _item(p, body, "with-states", participating_states=states[:2]),
        _item(p, body, "unchanged", code="unchanged-code", location="Minsk"),
        _item(p, other_body, "other-body"),
    ], note="first sync")
    OutboxEvent.objects.all().delete()
    return {"priority": p, "body": body, "other_body": other_body, "states": states}


def test_a_mixed_batch_gives_what_the_items_one_by_one_give(agenda, coordinator_actor, monkeypatch):
    p, body, states = agenda["priority"], agenda["body"], agenda["states"]
    items = [
        _item(p, body, "new-1", progress=20, owner=coordinator_actor.user),
        _item(p, body, "planned", progress=40),  # progress on a planned activity starts it
        _item(p, body, "started", status="done"),  # done: progress 100, completed today
        _item(p, body, "cancelled", status="planned"),  # reopened
        _item(p, body, "new-2", status="done", code="new-two", participating_states=states),
        _item(p, body, "with-states", participating_states=[states[1], states[2]], due_date=dt.date(2023, 7, 31)),
        _item(p, body, "unchanged", code="unchanged-code", location="Minsk"),  # the same values again
        _item(p, body, "other-body", title="Renamed", title_ru=None),
        _item(p, body, "new-3", lead_state=states[0], location=None),
    ]
    expected = _one_by_one(coordinator_actor, items, "nightly sync")
    got = _set_based(coordinator_actor, items, "nightly sync", monkeypatch)
    assert got[0] == expected[0]
    for part in ("activities", "log", "history", "outbox"):
        assert got[1][part] == expected[1][part], part
    assert expected[0][0] == "ok" and len(expected[1]["outbox"]) > 9  # the comparison compared something


def test_refusals_are_the_same_per_index_and_field_and_nothing_is_written(
    agenda, coordinator_actor, editor_actor, monkeypatch
):
    p, body, other_body = agenda["priority"], agenda["body"], agenda["other_body"]
    missing = Priority(pk=987654, presidency=p.presidency, number=4, title="Gone")
    items = [
        _item(p, body, "ok-1"),
        _item(p, body, "bad-dates", start_date=dt.date(2023, 9, 1), due_date=dt.date(2023, 8, 1)),
        _item(p, body, "cancelled", status="done"),  # the workflow refuses
        _item(p, body, "planned", colour="red"),  # unknown field
        _item(p, body, "new-code", code="unchanged-code"),  # another activity has this code
        _item(p, other_body, "other-body", progress=50),  # the editor may not write for this body
        _item(p, other_body, "new-elsewhere"),  # nor create there
        _item(p, body, "started", progress=150),
        _item(p, body, "done-but-not-finished", status="done", progress=50),
        _item(missing, body, "gone-priority"),
        _item(p, body, "far-future", due_date=dt.date(2031, 1, 1)),
    ]
    before = _snapshot()
    expected = _one_by_one(editor_actor, items, "")
    got = _set_based(editor_actor, items, "", monkeypatch)
    assert got[0] == expected[0]
    assert got[0][0] == "refused" and set(got[0][1]) == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
    assert got[0][2][5] == got[0][2][6] == "permission_denied"
    assert got[1] == before  # all or nothing


def test_only_refusals_of_permission_are_reported_with_their_code(agenda, editor_actor, monkeypatch):
    items = [_item(agenda["priority"], agenda["other_body"], "other-body", progress=50)]
    outcome, _ = _set_based(editor_actor, items, "", monkeypatch)
    assert outcome == ("refused", {0: {"non_field_errors": [
        "You may not change this activity: another body is responsible for it."]}}, {0: "permission_denied"})


def _batch(priorities, body, size, progress):
    return [_item(priorities[1], body, f"R-{n}", title=f"Bulk item {n}", progress=progress) for n in range(size)]


@pytest.mark.parametrize("size", [50, 500])
def test_queries_do_not_grow_with_the_batch(priorities, body, coordinator_actor, size, django_assert_max_num_queries,
                                           monkeypatch):
    monkeypatch.setattr(item_by_item, "_bulk_upsert_item_by_item", None)  # the set-based path only
    # SQLite splits big inserts into batches of 999 parameters; PostgreSQL writes each table's rows in one COPY
    # (the new activities' ids first taken from their sequence) and needs 16 queries or fewer at any size (14
    # to create, 15 to update; one more when an activity has an owner, whose name its events carry).
    limit = 16 if connection.vendor == "postgresql" else 60
    with django_assert_max_num_queries(limit):
        created = services.activities_bulk_upsert(actor=coordinator_actor, items=_batch(priorities, body, size, 40))
    with django_assert_max_num_queries(limit):
        updated = services.activities_bulk_upsert(actor=coordinator_actor, items=_batch(priorities, body, size, 60))
    with django_assert_max_num_queries(10):
        services.activities_bulk_upsert(actor=coordinator_actor, items=_batch(priorities, body, size, 60))
    assert all(c for _a, c in created) and not any(c for _a, c in updated)
    assert [a.pk for a, _c in created] == [a.pk for a, _c in updated]
    assert set(Activity.objects.values_list("version", "progress", "status")) == {(2, 60, "in_progress")}
    assert ProgressUpdate.objects.count() == 2 * size
    assert Activity.history.count() == 2 * size
    assert OutboxEvent.objects.filter(event_type=events.ACTIVITY_STATUS_CHANGED).count() == size


def test_a_reference_named_twice_runs_item_by_item_as_before(priorities, body, coordinator_actor):
    items = [_item(priorities[1], body, "X", progress=10), _item(priorities[1], body, "X", progress=20)]
    expected = _one_by_one(coordinator_actor, items, "")
    results = services.activities_bulk_upsert(actor=coordinator_actor, items=items)
    assert [created for _a, created in results] == [True, False]
    assert results[0][0].pk == results[1][0].pk
    activity = Activity.objects.get()
    assert (activity.progress, activity.version) == (20, 2)
    assert ("ok", [(("sys", "X"), a.version, c) for a, c in results]) == expected[0]
    assert _snapshot() == expected[1]


def test_a_code_two_items_claim_runs_item_by_item(priorities, body, coordinator_actor):
    items = [_item(priorities[1], body, "A", code="same"), _item(priorities[1], body, "B", code="same")]
    with pytest.raises(services.BulkInvalid) as info:
        services.activities_bulk_upsert(actor=coordinator_actor, items=items)
    assert set(info.value.item_errors) == {1} and "code" in info.value.item_errors[1]


def test_a_concurrent_writer_of_the_same_new_reference_makes_the_batch_update_its_row(
    priorities, body, coordinator_actor, monkeypatch
):
    """The other writer's row appears after the batch looked (simulated: the lookup misses it); the unique
    constraint stops the insert, and the batch runs item by item, updating that row."""
    services.activities_bulk_upsert(actor=coordinator_actor, items=[_item(priorities[1], body, "raced")])
    monkeypatch.setattr(bulk, "_lock_existing", lambda refs: {})
    items = [_item(priorities[1], body, "raced", progress=50), _item(priorities[1], body, "n")]
    results = services.activities_bulk_upsert(actor=coordinator_actor, items=items)
    assert [c for _a, c in results] == [False, True]
    assert Activity.objects.count() == 2
    assert Activity.objects.get(external_id="raced").progress == 50


def test_the_batch_events_are_announced_once_after_commit(priorities, body, coordinator_actor, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    announced = []
    monkeypatch.setattr(events, "after_commit_listeners", [announced.append])
    with django_capture_on_commit_callbacks(execute=True):
        services.activities_bulk_upsert(actor=coordinator_actor, items=_batch(priorities, body, 3, 0))
    assert announced == [[str(pk) for pk in OutboxEvent.objects.order_by("created_at").values_list("pk", flat=True)]]
    assert len(announced[0]) == 3


def test_reopening_an_activity_with_milestones_derives_its_progress_item_by_item(
    priorities, body, coordinator_actor
):
    [(activity, _c)] = services.activities_bulk_upsert(
        actor=coordinator_actor, items=[_item(priorities[1], body, "M", status="in_progress")]
    )
    factories.MilestoneFactory(activity=activity, done=True, order=1)
    factories.MilestoneFactory(activity=activity, done=False, order=2)
    for status in ("done", "in_progress"):
        services.activities_bulk_upsert(actor=coordinator_actor, items=[_item(priorities[1], body, "M", status=status)])
    activity.refresh_from_db()
    assert (activity.status, activity.progress, activity.completed_date) == ("in_progress", 50, None)


def test_a_system_actor_without_user_writes_the_same_history(priorities, body, monkeypatch):
    items = [_item(priorities[1], body, "S", progress=5)]
    expected = _one_by_one(Actor.system(), items, "import")
    assert _set_based(Actor.system(), items, "import", monkeypatch) == expected


def test_an_empty_batch_writes_and_locks_nothing(coordinator_actor, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the savepoints only
        assert services.activities_bulk_upsert(actor=coordinator_actor, items=[]) == []


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_batches_with_the_same_new_references_create_each_activity_once(
    priorities, body, coordinator
):
    from tests.test_concurrency import _run_together

    actor = Actor.for_user(coordinator)
    results = _run_together(2, lambda index: services.activities_bulk_upsert(
        actor=actor, items=[_item(priorities[1], body, f"C-{n}", progress=10 + index) for n in range(20)],
    ))
    assert all(isinstance(r, list) for r in results), results
    assert Activity.objects.count() == 20
    assert sorted(c for r in results for _a, c in r) == [False] * 20 + [True] * 20
    assert set(Activity.objects.values_list("version", flat=True)) == {2}


def test_a_moved_source_date_becomes_the_writers_decision_on_both_paths(agenda, coordinator_actor, monkeypatch):
    """One plan, carried out two ways: the set-based path also records who made a moved date their decision."""
    from tracker.models import DateBasis

    Activity.objects.filter(external_id="planned").update(date_basis=DateBasis.SOURCE)
    items = [_item(agenda["priority"], agenda["body"], "planned", due_date=dt.date(2023, 9, 30))]

    def decision():
        activity = Activity.objects.get(external_id="planned")
        return activity.date_basis, activity.date_confirmed_by, activity.date_confirmed_at is not None

    try:
        with transaction.atomic():
            item_by_item._bulk_upsert_item_by_item(actor=coordinator_actor, items=[dict(i) for i in items], note="")
            expected = decision()
            raise _Rollback()
    except _Rollback:
        pass
    _set_based(coordinator_actor, items, "", monkeypatch)
    assert decision() == expected == (DateBasis.DECISION, coordinator_actor.name, True)


def test_a_decision_cannot_be_typed_into_a_bulk_item(agenda, coordinator_actor, monkeypatch):
    from tracker.models import DateBasis

    items = [_item(agenda["priority"], agenda["body"], "new-one", date_basis=DateBasis.DECISION)]
    outcome, _snapshot_after = _set_based(coordinator_actor, items, "", monkeypatch)
    assert outcome[0] == "refused" and "date_basis" in outcome[1][0]
    assert outcome == _one_by_one(coordinator_actor, items, "")[0]


def test_moving_a_predecessor_tells_its_waiting_successor_as_item_by_item_does(agenda, coordinator_actor):
    """Item by item, a moved due date tells the successors that now wait (schedule.dates_changed) right after
    that item's save; a batch that moves a predecessor runs that way, so the notices and events are the same."""
    p, body = agenda["priority"], agenda["body"]
    planned = Activity.objects.get(external_id="planned")
    successor = factories.ActivityFactory(priority=p, responsible_body=body, start_date=dt.date(2023, 7, 1),
                                          due_date=dt.date(2023, 9, 30))
    services.dependency_create(actor=coordinator_actor, predecessor=planned, successor=successor)
    notices = OutboxEvent.objects.filter(event_type=events.ACTIVITY_WAITING).count()
    items = [_item(p, body, "planned", due_date=dt.date(2023, 8, 15)), _item(p, body, "new-1")]
    expected = _one_by_one(coordinator_actor, items, "moved")
    got = services.activities_bulk_upsert(actor=coordinator_actor, items=items, note="moved")
    assert ("ok", [((a.external_source, a.external_id), a.version, c) for a, c in got]) == expected[0]
    snapshot = _snapshot()
    for part in ("activities", "log", "history", "outbox"):
        assert snapshot[part] == expected[1][part], part
    assert [e[0] for e in snapshot["outbox"]].count(events.ACTIVITY_WAITING) == notices + 1  # the batch's notice


def test_the_event_bodies_carry_the_saved_times_in_utc_even_on_the_demo_clock(
    priorities, body, coordinator_actor, settings
):
    """The set-based path builds its events' bodies from the activities it wrote, not from a read-back; the
    demo's clock writes local times (Minsk), which the database gives back in UTC: the bodies say UTC."""
    settings.DEBUG, settings.DEMO_TODAY = True, dt.date(2023, 5, 15)
    created = services.activities_bulk_upsert(actor=coordinator_actor, items=[_item(priorities[1], body, "T-1")])
    services.activities_bulk_upsert(actor=coordinator_actor, items=[_item(priorities[1], body, "T-1", progress=5)])
    activity = Activity.objects.get(pk=created[0][0].pk)
    for event in OutboxEvent.objects.filter(activity=activity):
        shown = json.loads(event.body)["activity"]
        for name in ("created_at", "updated_at"):
            assert shown[name].endswith("Z"), (name, shown[name])
        assert shown["version"] in (1, 2)
    last = json.loads(OutboxEvent.objects.filter(activity=activity).order_by("created_at").last().body)["activity"]
    assert dt.datetime.fromisoformat(last["updated_at"].replace("Z", "+00:00")) == activity.updated_at.replace(
        microsecond=activity.updated_at.microsecond // 1000 * 1000)
