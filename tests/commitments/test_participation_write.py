"""Participation records written through the API, and the one rule that keeps an activity's lead state and
its "lead" participation in step, whichever door sets it (the activity's field, a record's role, the admin,
the bulk upsert)."""

import pytest

from tests import factories
from tests.api.conftest import client_for_user
from tracker import services
from tracker.models import Activity, ApiClient, Participation
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


def roles(activity: Activity) -> dict[str, str]:
    return dict(Participation.objects.filter(activity=activity).values_list("memberstate__code", "role"))


def lead_code(activity: Activity) -> str | None:
    activity.refresh_from_db()
    return activity.lead_state.code if activity.lead_state else None


# --- The API -----------------------------------------------------------------------------------------------

def test_an_editor_records_changes_and_removes_a_participation_through_the_api(editor, activity, states):
    client = client_for_user(editor)
    version = activity.version
    response = client.post("/api/v1/participations/", {
        "activity": activity.pk, "memberstate": states["BY"].pk, "role": "host", "level": "minister",
        "confirmed": True, "note": "Venue in Brest"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state_code"], body["role"], body["level"], body["confirmed"], body["note"]) == (
        "BY", "host", "minister", True, "Venue in Brest")
    activity.refresh_from_db()
    assert activity.version == version + 1  # a change of the activity: subscribers hear of it

    response = client.patch(f"/api/v1/participations/{body['id']}/", {"level": "deputy", "confirmed": False},
                            format="json")
    assert response.status_code == 200 and (response.json()["level"], response.json()["confirmed"]) == (
        "deputy", False)
    # The observer takes part too; the list filters by presidency like every list.
    assert client.post("/api/v1/participations/", {"activity": activity.pk, "memberstate": states["CN"].pk,
                                                   "role": "observer"}, format="json").status_code == 201
    listed = client.get(f"/api/v1/participations/?presidency={activity.priority.presidency_id}").json()["results"]
    assert sorted(r["state_code"] for r in listed) == ["BY", "CN"]

    assert client.delete(f"/api/v1/participations/{body['id']}/").status_code == 204
    assert roles(activity) == {"CN": "observer"}


def test_the_api_refuses_a_non_member_a_second_record_and_a_moved_record_naming_the_field(editor, activity,
                                                                                        states):
    client = client_for_user(editor)
    response = client.post("/api/v1/participations/", {"activity": activity.pk, "memberstate": states["US"].pk},
                           format="json")
    assert response.status_code == 400 and "memberstate" in response.json()["errors"]
    assert "neither a member nor an observer" in response.json()["errors"]["memberstate"][0]
    created = client.post("/api/v1/participations/", {"activity": activity.pk, "memberstate": states["BY"].pk},
                          format="json").json()
    again = client.post("/api/v1/participations/", {"activity": activity.pk, "memberstate": states["BY"].pk,
                                                    "role": "host"}, format="json")
    assert again.status_code == 400 and "memberstate" in again.json()["errors"]
    moved = client.patch(f"/api/v1/participations/{created['id']}/", {"memberstate": states["KZ"].pk}, format="json")
    assert moved.status_code == 400 and "memberstate" in moved.json()["errors"]
    bad_role = client.patch(f"/api/v1/participations/{created['id']}/", {"role": "king"}, format="json")
    assert bad_role.status_code == 400 and "role" in bad_role.json()["errors"]
    assert roles(activity) == {"BY": "participant"}


def test_viewers_read_only_keys_and_editors_of_another_body_cannot_write(viewer, outsider, activity, states):
    data = {"activity": activity.pk, "memberstate": states["BY"].pk}
    assert client_for_user(viewer).post("/api/v1/participations/", data, format="json").status_code == 403
    assert client_for_user(outsider).post("/api/v1/participations/", data, format="json").status_code == 403
    assert not Participation.objects.exists()


def test_a_write_key_for_the_body_records_a_participation(activity, states):
    from tests.api.conftest import client_with_key

    api = client_with_key(factories.make_api_client("planning", ApiClient.Scope.WRITE)[1])
    response = api.post("/api/v1/participations/", {"activity": activity.pk, "memberstate": states["KZ"].pk,
                                                     "role": "co_organiser"}, format="json")
    assert response.status_code == 201, response.content
    assert roles(activity) == {"KZ": "co_organiser"}


# --- Lead state and the lead participation: both directions ------------------------------------------------

def test_setting_the_lead_state_makes_and_moves_the_lead_participation(coordinator_actor, activity, states):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"lead_state": states["BY"]})
    assert roles(activity) == {"BY": "lead"}
    services_commitments.participation_save(actor=coordinator_actor, activity=activity,
                                            memberstate=states["KZ"], data={"role": "host"})
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"lead_state": states["KZ"]})
    # One lead: the former lead still takes part, as a participant; the host becomes the lead.
    assert roles(activity) == {"BY": "participant", "KZ": "lead"}
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"lead_state": None})
    assert roles(activity) == {"BY": "participant", "KZ": "participant"}


def test_a_lead_role_sets_the_activitys_lead_state_and_leaving_it_clears_it(coordinator_actor, activity, states):
    services_commitments.participation_save(actor=coordinator_actor, activity=activity,
                                            memberstate=states["BY"], data={"role": "lead"})
    assert lead_code(activity) == "BY"
    services_commitments.participation_save(actor=coordinator_actor, activity=activity,
                                            memberstate=states["KZ"], data={"role": "lead"})
    assert lead_code(activity) == "KZ" and roles(activity) == {"BY": "participant", "KZ": "lead"}
    services_commitments.participation_save(actor=coordinator_actor, activity=activity,
                                            memberstate=states["KZ"], data={"role": "host"})
    assert lead_code(activity) is None and "lead" not in roles(activity).values()
    services_commitments.participation_save(actor=coordinator_actor, activity=activity,
                                            memberstate=states["BY"], data={"role": "lead"})
    services_commitments.participation_delete(
        actor=coordinator_actor, participation=Participation.objects.get(activity=activity, memberstate=states["BY"]))
    assert lead_code(activity) is None


def test_a_new_activity_with_a_lead_state_has_its_lead_record_and_a_non_member_cannot_lead(
        coordinator_actor, priorities, body, states):
    from tracker.errors import InvalidInput

    created = services.activity_create(actor=coordinator_actor, data={
        "priority": priorities[0], "title": "Staff talks", "due_date": priorities[0].presidency.period_end,
        "responsible_body": body, "lead_state": states["BY"], "participating_states": [states["KZ"]]})
    assert roles(created) == {"BY": "lead", "KZ": "participant"}
    with pytest.raises(InvalidInput) as refused:
        services.activity_update(actor=coordinator_actor, activity=created, changes={"lead_state": states["US"]})
    assert "lead_state" in refused.value.errors
    assert lead_code(created) == "BY"


def test_the_api_moves_the_lead_both_ways(editor, activity, states):
    client = client_for_user(editor)
    response = client.patch(f"/api/v1/activities/{activity.pk}/", {"lead_state": states["BY"].pk}, format="json")
    assert response.status_code == 200, response.content
    assert roles(activity) == {"BY": "lead"}
    kz = client.post("/api/v1/participations/", {"activity": activity.pk, "memberstate": states["KZ"].pk,
                                                 "role": "lead"}, format="json")
    assert kz.status_code == 201
    assert client.get(f"/api/v1/activities/{activity.pk}/").json()["lead_state"] == states["KZ"].pk
    assert roles(activity) == {"BY": "participant", "KZ": "lead"}
    refused = client.patch(f"/api/v1/activities/{activity.pk}/", {"lead_state": states["US"].pk}, format="json")
    assert refused.status_code == 400 and "lead_state" in refused.json()["errors"]


def test_the_bulk_upsert_keeps_the_lead_in_step(coordinator_actor, priorities, body, states):
    items = [{"external_source": "plan", "external_id": str(n), "priority": priorities[0], "title": f"Item {n}",
              "due_date": priorities[0].presidency.period_end, "responsible_body": body,
              "lead_state": states["BY"] if n % 2 else states["KZ"]} for n in range(6)]
    services.activities_bulk_upsert(actor=coordinator_actor, items=items)
    for activity in Activity.objects.filter(external_source="plan"):
        assert roles(activity) == {activity.lead_state.code: "lead"}
    services.activities_bulk_upsert(actor=coordinator_actor, items=[{**item, "lead_state": states["KZ"]}
                                                                     for item in items])
    for activity in Activity.objects.filter(external_source="plan"):
        assert roles(activity)["KZ"] == "lead" and "lead" not in {
            role for code, role in roles(activity).items() if code != "KZ"}


def test_the_admin_moves_the_lead_both_ways(client, coordinator, activity, states):
    client.force_login(coordinator)
    url = f"/admin/tracker/activity/{activity.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data.update({
        "lead_state": str(states["BY"].pk),
        "start_date": activity.start_date.isoformat() if activity.start_date else "",
        "due_date": activity.due_date.isoformat(), "watchers": [],
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
        "participations-TOTAL_FORMS": "1", "participations-INITIAL_FORMS": "0",
        "participations-MIN_NUM_FORMS": "0", "participations-MAX_NUM_FORMS": "1000",
        "participations-0-memberstate": str(states["KZ"].pk), "participations-0-role": "host",
        "participations-0-level": "", "participations-0-note": "",
    })
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert roles(activity) == {"BY": "lead", "KZ": "host"}
    # The inline's role "lead" moves the activity's lead state.
    kz = Participation.objects.get(activity=activity, memberstate=states["KZ"])
    by = Participation.objects.get(activity=activity, memberstate=states["BY"])
    activity.refresh_from_db()
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data.update({
        "start_date": activity.start_date.isoformat() if activity.start_date else "",
        "due_date": activity.due_date.isoformat(), "watchers": [],
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
        "participations-TOTAL_FORMS": "2", "participations-INITIAL_FORMS": "2",
        "participations-MIN_NUM_FORMS": "0", "participations-MAX_NUM_FORMS": "1000",
        "participations-0-id": str(by.pk), "participations-0-activity": str(activity.pk),
        "participations-0-memberstate": str(states["BY"].pk), "participations-0-role": "lead",
        "participations-0-level": "", "participations-0-note": "",
        "participations-1-id": str(kz.pk), "participations-1-activity": str(activity.pk),
        "participations-1-memberstate": str(states["KZ"].pk), "participations-1-role": "lead",
        "participations-1-level": "", "participations-1-note": "",
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert lead_code(activity) == "KZ" and roles(activity) == {"BY": "participant", "KZ": "lead"}


def test_the_admin_export_carries_each_states_part(client, coordinator, activity, states):
    import csv
    import io

    Participation.objects.create(activity=activity, memberstate=states["BY"], role="host", level="minister",
                                 confirmed=True)
    Participation.objects.create(activity=activity, memberstate=states["KZ"], role="participant")
    client.force_login(coordinator)
    response = client.post("/admin/tracker/activity/export/", {
        "format": "0", "resource": "0", "activityresource_code": "on", "activityresource_participations": "on"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["participations"] == "BY:host:minister:confirmed; KZ:participant"


def test_the_lead_keeps_taking_part_when_a_bare_list_leaves_it_out(coordinator_actor, activity, states):
    services.activity_update(actor=coordinator_actor, activity=activity,
                             changes={"lead_state": states["BY"], "participating_states": [states["KZ"]]})
    assert roles(activity) == {"BY": "lead", "KZ": "participant"}
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"participating_states": []})
    assert roles(activity) == {"BY": "lead"} and lead_code(activity) == "BY"


# --- The admin's spreadsheet import --------------------------------------------------------------------------

def _import(activity: Activity, cell: str, user):
    import tablib

    from tracker.imports import ActivityResource

    resource = ActivityResource()
    exported = resource.export(queryset=Activity.objects.filter(pk=activity.pk))
    row = dict(exported.dict[0])
    row["participations"] = cell
    dataset = tablib.Dataset(headers=list(row))
    dataset.append(list(row.values()))
    return resource.import_data(dataset, user=user)


def test_an_import_sets_each_named_states_role_level_and_confirmation(coordinator, activity, states):
    activity.code = "EX-1"
    activity.save()
    result = _import(activity, "BY:host:minister:confirmed; KZ:co_organiser; cn:observer", coordinator)
    assert not result.has_errors() and not result.has_validation_errors()
    assert roles(activity) == {"BY": "host", "KZ": "co_organiser", "CN": "observer"}
    by = Participation.objects.get(activity=activity, memberstate__code="BY")
    assert (by.level, by.confirmed) == ("minister", True)
    from tracker.imports import ActivityResource

    exported = ActivityResource().export(queryset=Activity.objects.filter(pk=activity.pk)).dict[0]
    assert exported["participations"] == "BY:host:minister:confirmed; KZ:co_organiser; CN:observer"  # members first


@pytest.mark.parametrize(("cell", "says"), [
    ("BY:host:emperor", "write STATE:role"),
    ("XX:participant", "Unknown state code: XX"),
    ("US:participant", "United States"),  # neither a member nor an observer
])
def test_a_bad_participations_cell_is_reported_on_its_row_and_nothing_changes(coordinator, activity, states, cell,
                                                                            says):
    activity.code = "EX-2"
    activity.save()
    before = (roles(activity), Activity.objects.get(pk=activity.pk).version)
    result = _import(activity, cell, coordinator)
    assert result.has_validation_errors()
    messages = " ".join(str(error) for row in result.invalid_rows for error in row.error_dict.get("participations", []))
    assert says in messages
    assert (roles(activity), Activity.objects.get(pk=activity.pk).version) == before
