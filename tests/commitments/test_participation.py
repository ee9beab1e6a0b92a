"""Member-state participation: the records behind `participating_states`, the rule on who may take part,
and the migration that turned the bare list into records."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories
from tracker import services
from tracker.errors import InvalidInput, NotPermitted
from tracker.models import OutboxEvent, Participation
from tracker.services import commitments as services_commitments

pytestmark = pytest.mark.django_db


@pytest.fixture
def states(db):
    return {
        "BY": factories.MemberStateFactory(code="BY", name="Belarus"),
        "KZ": factories.MemberStateFactory(code="KZ", name="Kazakhstan"),
        "CN": factories.MemberStateFactory(code="CN", name="China", is_member=False, is_observer=True),
        "US": factories.MemberStateFactory(code="US", name="United States", is_member=False),
    }


def test_an_editor_records_a_states_role_and_level(activity, editor_actor, states):
    version = activity.version
    saved = services_commitments.participation_save(
        actor=editor_actor, activity=activity, memberstate=states["BY"],
        data={"role": "host", "level": "minister", "confirmed": True, "note": "Minsk"},
    )
    assert (saved.role, saved.level, saved.confirmed) == ("host", "minister", True)
    # The bare list other systems read follows the records.
    assert list(activity.participating_states.values_list("code", flat=True)) == ["BY"]
    activity.refresh_from_db()
    assert activity.version == version + 1
    assert OutboxEvent.objects.filter(activity=activity, event_type="activity.updated").exists()


def test_a_state_set_through_the_bare_list_takes_part_as_a_participant(activity, coordinator_actor, states):
    services.activity_update(actor=coordinator_actor, activity=activity,
                             changes={"participating_states": [states["KZ"], states["CN"]]})
    roles = dict(Participation.objects.filter(activity=activity).values_list("memberstate__code", "role"))
    assert roles == {"KZ": "participant", "CN": "participant"}


def test_a_state_neither_member_nor_observer_is_refused(activity, coordinator_actor, states):
    with pytest.raises(InvalidInput) as refused:
        services_commitments.participation_save(
            actor=coordinator_actor, activity=activity, memberstate=states["US"], data={"role": "observer"}
        )
    assert refused.value.field == "memberstate" and "United States" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        services.activity_update(actor=coordinator_actor, activity=activity,
                                 changes={"participating_states": [states["BY"], states["US"]]})
    assert refused.value.field == "participating_states"
    assert not Participation.objects.filter(activity=activity).exists()


def test_an_unknown_role_is_refused_naming_the_field(activity, coordinator_actor, states):
    with pytest.raises(InvalidInput) as refused:
        services_commitments.participation_save(
            actor=coordinator_actor, activity=activity, memberstate=states["BY"], data={"role": "boss"}
        )
    assert refused.value.field == "role"
    assert not Participation.objects.exists()


def test_only_those_who_may_edit_the_activity_record_participation(activity, outsider, states):
    from tracker.permissions import Actor

    with pytest.raises(NotPermitted):
        services_commitments.participation_save(
            actor=Actor.for_user(outsider), activity=activity, memberstate=states["BY"], data={"role": "host"}
        )
    assert not Participation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_states_and_makes_the_lead_state_lead():
    executor = MigrationExecutor(connection)
    before = [("tracker", "0011_sources")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    State, Body, Presidency = (old.get_model("tracker", n) for n in ("MemberState", "Body", "Presidency"))
    Priority, Activity = old.get_model("tracker", "Priority"), old.get_model("tracker", "Activity")
    by = State.objects.create(code="BY", name="Belarus", is_member=True)
    ru = State.objects.create(code="RU", name="Russia", is_member=True)
    cn = State.objects.create(code="CN", name="China", is_member=False)
    presidency = Presidency.objects.create(code="p", organisation="CSTO", chair_state=by,
                                           period_start="2023-01-01", period_end="2023-12-31")
    priority = Priority.objects.create(presidency=presidency, number=1, title="P1")
    body = Body.objects.create(code="b", name="Body")
    activity = Activity.objects.create(priority=priority, title="Talks", due_date="2023-05-01",
                                       responsible_body=body, lead_state=by)
    activity.participating_states.set([ru, cn])

    after = [("tracker", "0013_participation_history")]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = new.get_model("tracker", "Participation").objects.filter(activity_id=activity.pk)
    assert dict(rows.values_list("memberstate__code", "role")) == {"BY": "lead", "RU": "participant",
                                                                   "CN": "participant"}
    assert new.get_model("tracker", "MemberState").objects.get(code="CN").is_observer
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_bulk_upsert_refuses_a_state_neither_member_nor_observer(coordinator_actor, priorities, body, states):
    item = {"external_source": "plan", "external_id": "1", "priority": priorities[0], "title": "Talks",
            "due_date": "2023-05-01", "responsible_body": body, "participating_states": [states["US"]]}
    with pytest.raises(InvalidInput) as refused:
        services.activities_bulk_upsert(actor=coordinator_actor, items=[item])
    assert "participating_states" in str(refused.value.errors)
    item["participating_states"] = [states["BY"], states["CN"]]
    ((created, _),) = services.activities_bulk_upsert(actor=coordinator_actor, items=[item])
    assert set(created.participations.values_list("role", flat=True)) == {"participant"}
