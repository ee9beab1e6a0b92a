"""Data entry in the admin: pages render, actions and saves go through the services, imports are all or nothing."""

import datetime as dt

import pytest
import tablib
from django.urls import reverse

from tests import factories
from tracker import services
from tracker.admin import ActivityAdmin
from tracker.models import Activity, ProgressUpdate
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db

ADMIN_MODELS = ["memberstate", "body", "presidency", "priority", "activity", "progressupdate", "staffprofile",
                "apiclient"]


@pytest.fixture
def admin_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_changelist_renders(admin_client, activity, model):
    response = admin_client.get(reverse(f"admin:tracker_{model}_changelist"))
    assert response.status_code == 200


def test_activity_changelist_filters_render_and_apply(admin_client, activity, priorities, body):
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Wrapped-up summit",
                              due_date=dt.date(2023, 12, 31), status="done")
    url = reverse("admin:tracker_activity_changelist")
    response = admin_client.get(url, {"overdue": "yes"})
    assert response.status_code == 200
    assert "Joint exercises in Belarus" in response.text
    assert "Wrapped-up summit" not in response.text


@pytest.mark.parametrize("model", ["presidency", "priority", "activity"])
def test_change_form_renders(admin_client, activity, model):
    obj = {"presidency": activity.priority.presidency, "priority": activity.priority, "activity": activity}[model]
    response = admin_client.get(reverse(f"admin:tracker_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_activity_history_view_renders(admin_client, activity, coordinator):
    services.activity_transition(actor=Actor.for_user(coordinator), activity=activity, status="in_progress")
    response = admin_client.get(reverse("admin:tracker_activity_history", args=[activity.pk]))
    assert response.status_code == 200


def test_bulk_action_moves_activities_and_logs_admin_channel(admin_client, activity, priorities, body):
    second = factories.ActivityFactory(priority=priorities[0], responsible_body=body)
    response = admin_client.post(
        reverse("admin:tracker_activity_changelist"),
        {"action": "mark_in_progress", "_selected_action": [activity.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 activities moved to in progress" in response.text
    logs = ProgressUpdate.objects.filter(new_status="in_progress")
    assert logs.count() == 2
    assert set(logs.values_list("channel", flat=True)) == {"admin"}


def test_bulk_action_refuses_item_by_item_with_the_workflows_message(admin_client, activity, priorities, body,
                                                                     coordinator):
    cancelled = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Dropped meeting")
    services.activity_transition(actor=Actor.for_user(coordinator), activity=cancelled, status="cancelled")
    response = admin_client.post(
        reverse("admin:tracker_activity_changelist"),
        {"action": "mark_done", "_selected_action": [activity.pk, cancelled.pk]},
        follow=True,
    )
    assert "Dropped meeting: A cancelled activity cannot be marked done; reopen it first." in response.text
    assert "1 activity moved to done" in response.text
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"


def _change_form_data(activity, **overrides):
    data = {
        "priority": activity.priority_id, "code": activity.code or "", "title": activity.title, "title_ru": "",
        "kind": activity.kind, "status": activity.status, "progress": activity.progress,
        "loaded_version": activity.version, "start_date": activity.start_date.isoformat(),
        "due_date": activity.due_date.isoformat(), "responsible_body": activity.responsible_body_id,
        "lead_state": "", "location": "", "description": "", "description_ru": "",
        "external_source": "", "external_id": "",
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
        # Participating states are an inline of participation records (their role, level, confirmation).
        "participations-TOTAL_FORMS": "0", "participations-INITIAL_FORMS": "0",
        "participations-MIN_NUM_FORMS": "0", "participations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_saving_the_change_form_goes_through_the_services(admin_client, activity):
    response = admin_client.post(
        reverse("admin:tracker_activity_change", args=[activity.pk]),
        _change_form_data(activity, status="in_progress", progress="25"),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    activity.refresh_from_db()
    assert (activity.status, activity.progress, activity.version) == ("in_progress", 25, 2)
    log = ProgressUpdate.objects.get(activity=activity)
    assert (log.channel, log.old_status, log.new_status) == ("admin", "planned", "in_progress")


def test_change_form_refuses_a_disallowed_status_next_to_the_field(admin_client, activity, coordinator):
    services.activity_transition(actor=Actor.for_user(coordinator), activity=activity, status="cancelled")
    activity.refresh_from_db()
    response = admin_client.post(
        reverse("admin:tracker_activity_change", args=[activity.pk]), _change_form_data(activity, status="done")
    )
    assert response.status_code == 200
    assert "reopen it first" in str(response.context["adminform"].form.errors["status"])
    activity.refresh_from_db()
    assert activity.status == "cancelled"


def test_change_form_refuses_to_overwrite_a_newer_version(admin_client, activity, coordinator):
    stale = _change_form_data(activity, title="My edit")
    services.progress_report(actor=Actor.for_user(coordinator), activity=activity, progress=40)
    response = admin_client.post(reverse("admin:tracker_activity_change", args=[activity.pk]), stale)
    assert response.status_code == 200
    assert "Someone else changed this activity" in response.text
    activity.refresh_from_db()
    assert activity.title == "Joint exercises in Belarus"


def test_adding_a_milestone_inline_updates_progress(admin_client, activity):
    data = _change_form_data(activity, **{
        "milestones-TOTAL_FORMS": "2",
        "milestones-0-order": "1", "milestones-0-title": "Concept", "milestones-0-done": "on",
        "milestones-1-order": "2", "milestones-1-title": "Exercise held",
    })
    response = admin_client.post(reverse("admin:tracker_activity_change", args=[activity.pk]), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.milestones.count() == 2
    assert activity.progress == 50


def test_editor_cannot_open_another_bodys_activity_for_change(client, activity, outsider):
    client.force_login(outsider)
    response = client.post(reverse("admin:tracker_activity_change", args=[activity.pk]),
                           _change_form_data(activity, title="Hijacked"))
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.title == "Joint exercises in Belarus"


def test_viewer_without_staff_access_is_kept_out_of_the_admin(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("admin:tracker_activity_changelist"))
    assert response.status_code == 302


def test_progress_log_is_read_only_in_the_admin(admin_client, activity, coordinator):
    services.progress_report(actor=Actor.for_user(coordinator), activity=activity, progress=10)
    log = ProgressUpdate.objects.get()
    response = admin_client.post(reverse("admin:tracker_progressupdate_change", args=[log.pk]), {"note": "edited"})
    log.refresh_from_db()
    assert log.note == ""
    assert response.status_code in (200, 403)


def test_new_api_client_key_is_shown_once_and_stored_hashed(admin_client):
    from tracker.models import ApiClient, hash_api_key

    response = admin_client.post(reverse("admin:tracker_apiclient_add"), {"name": "mfa-docs", "scope": "write"},
                                 follow=True)
    message = next(str(m) for m in response.context["messages"] if "copy it now" in str(m))
    key = message.split(" is ")[1].split(" ")[0]
    client = ApiClient.objects.get(name="mfa-docs")
    assert client.key_hash == hash_api_key(key)
    assert key not in admin_client.get(reverse("admin:tracker_apiclient_change", args=[client.pk])).text


# --- Import and export ----------------------------------------------------------------------------------

#: The import/export format choices, in the order the admin offers them.
FORMAT_NAMES = [f.__name__ for f in ActivityAdmin.formats]
HEADERS = ["code", "presidency", "priority", "title", "kind", "status", "start_date", "due_date", "progress",
           "responsible_body", "lead_state", "participating_states"]


def _csv(rows):
    return tablib.Dataset(*rows, headers=HEADERS).export("csv").encode()


def _import(admin_client, content, name="plan.csv", fmt="0"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return admin_client.post(
        reverse("admin:tracker_activity_import"),
        {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)},
    )


@pytest.fixture
def states(db):
    return [factories.MemberStateFactory(code=c) for c in ("BY", "RU", "AM")]


def test_import_with_one_bad_row_changes_nothing_and_names_the_row(admin_client, presidency, priorities, body,
                                                                   states):
    good = ["imp-1", presidency.code, "3", "Staff talks", "meeting", "planned", "2023-03-01", "2023-04-01", "0",
            body.code, "BY", "BY,RU"]
    bad = ["imp-2", presidency.code, "3", "Broken row", "meeting", "planned", "2023-05-01", "2023-04-01", "0",
           body.code, "BY", "BY"]
    response = _import(admin_client, _csv([good, bad]))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid_rows = [row.number for row in result.invalid_rows]
    assert invalid_rows == [2]
    assert "due date cannot be before the start date" in response.text
    assert "Confirm import" not in response.text
    assert not Activity.objects.exists()


def test_import_of_a_good_file_creates_activities_through_the_services(admin_client, presidency, priorities, body,
                                                                       states):
    rows = [
        ["imp-1", presidency.code, "3", "Staff talks", "meeting", "planned", "2023-03-01", "2023-04-01", "0",
         body.code, "BY", "BY,RU"],
        ["imp-2", presidency.code, "1", "Statement", "document", "in_progress", "2023-02-01", "2023-02-20", "40",
         body.code, "AM", "AM"],
    ]
    preview = _import(admin_client, _csv(rows))
    assert preview.status_code == 200 and not preview.context["result"].has_errors()
    confirm = preview.context["confirm_form"]
    response = admin_client.post(reverse("admin:tracker_activity_process_import"), confirm.initial)
    assert response.status_code == 302
    talks = Activity.objects.get(code="imp-1")
    assert set(talks.participating_states.values_list("code", flat=True)) == {"BY", "RU"}
    assert ProgressUpdate.objects.filter(activity__code="imp-2", channel="admin", new_progress=40).exists()


def test_import_updates_by_code_and_refuses_a_disallowed_status_per_row(admin_client, activity, presidency, body,
                                                                       states, coordinator):
    activity.code = "ex-1"
    activity.save()
    services.activity_transition(actor=Actor.for_user(coordinator), activity=activity, status="cancelled")
    row = ["ex-1", presidency.code, "3", activity.title, "exercise", "done", "2023-03-01", "2023-09-30", "100",
           body.code, "BY", "BY"]
    response = _import(admin_client, _csv([row]))
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "reopen it first" in response.text
    activity.refresh_from_db()
    assert activity.status == "cancelled"


def test_import_of_an_unknown_body_is_reported_by_row(admin_client, presidency, priorities, states):
    row = ["imp-9", presidency.code, "2", "Talks", "meeting", "planned", "2023-03-01", "2023-04-01", "0",
           "no-such-body", "BY", "BY"]
    response = _import(admin_client, _csv([row]))
    assert response.context["result"].has_validation_errors() or response.context["result"].has_errors()
    assert not Activity.objects.exists()


def test_export_writes_every_activity_with_readable_references(admin_client, activity):
    activity.code = "ex-1"
    activity.save()
    response = admin_client.post(reverse("admin:tracker_activity_export"), {
        "format": "0", "resource": "0", **{f"activityresource_{f}": "on" for f in HEADERS}})
    assert response.status_code == 200
    content = response.content.decode()
    assert "ex-1" in content and "by-mod" in content and "Joint exercises in Belarus" in content


def test_xlsx_import_with_a_bad_row_is_rejected_whole(admin_client, presidency, priorities, body, states):
    from import_export.formats.base_formats import XLSX

    good = ["imp-1", presidency.code, "3", "Staff talks", "meeting", "planned", "2023-03-01", "2023-04-01", "0",
            body.code, "BY", "BY,RU"]
    bad = ["imp-2", presidency.code, "3", "Over the top", "meeting", "planned", "2023-03-01", "2023-04-01", "140",
           body.code, "BY", "BY"]
    content = tablib.Dataset(good, bad, headers=HEADERS).export("xlsx")
    response = _import(admin_client, content, name="plan.xlsx", fmt=str(FORMAT_NAMES.index(XLSX.__name__)))
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert "progress" in str(result.invalid_rows[0].error_dict)
    assert not Activity.objects.exists()


def test_xlsx_export_opens_as_a_spreadsheet(admin_client, activity):
    from import_export.formats.base_formats import XLSX

    response = admin_client.post(reverse("admin:tracker_activity_export"), {
        "format": str(FORMAT_NAMES.index(XLSX.__name__)), "resource": "0",
        **{f"activityresource_{f}": "on" for f in HEADERS}})
    assert response.status_code == 200
    sheet = tablib.Dataset().load(response.content, format="xlsx")
    assert "Joint exercises in Belarus" in sheet["title"]


# --- What a newcomer meets in the admin ----------------------------------------------------------------------

def test_the_admin_is_branded_as_the_tracker_in_both_languages(admin_client):
    assert "Presidency Agenda Tracker" in admin_client.get("/admin/").text
    admin_client.cookies["django_language"] = "ru"
    html = admin_client.get("/admin/").text
    assert "Django" not in html.split("<body", 1)[1].split("</header>", 1)[0]


def test_operational_records_are_grouped_apart_and_only_for_coordinators(client, admin_client, editor):
    index = admin_client.get("/admin/").text
    assert "Operations" in index
    agenda, operations = index.split("Operations", 1)
    for name in ("Outbox events", "Worker heartbeats", "Webhook deliveries"):
        assert name.lower() in operations.lower() and name.lower() not in agenda.lower()
    client.force_login(editor)
    editor_index = client.get("/admin/").text
    assert "Outbox events" not in editor_index and "Worker heartbeats" not in editor_index
    assert "Activities" in editor_index


def test_the_activity_list_shows_a_short_priority_so_status_due_date_and_progress_fit(admin_client, activity):
    html = admin_client.get(reverse("admin:tracker_activity_changelist")).text
    row = html[html.index('class="field-title"'):]
    row = row[: row.index("</tr>")]
    assert f">P{activity.priority.number}<" in row and activity.priority.title not in row
    headers = [h for h in ("column-status", "column-due_date", "column-progress", "column-priority_number")
               if h in html]
    assert headers == ["column-status", "column-due_date", "column-progress", "column-priority_number"]
    assert html.index("column-progress") < html.index("column-priority_number")


def test_the_add_form_has_no_version_or_timestamps(admin_client, activity):
    add = admin_client.get(reverse("admin:tracker_activity_add")).text
    change = admin_client.get(reverse("admin:tracker_activity_change", args=[activity.pk])).text
    for field in ("field-version", "field-created_at", "field-updated_at", "field-completed_date"):
        assert field not in add and field in change


def test_progress_is_read_only_where_milestones_drive_it(admin_client, activity):
    assert 'name="progress"' in admin_client.get(reverse("admin:tracker_activity_change", args=[activity.pk])).text
    factories.MilestoneFactory(activity=activity, order=1)
    html = admin_client.get(reverse("admin:tracker_activity_change", args=[activity.pk])).text
    assert 'name="progress"' not in html and "field-progress" in html


def test_recent_actions_list_changes_made_on_the_board(admin_client, activity, coordinator):
    from django.contrib.admin.models import LogEntry

    admin_client.post(f"/activities/{activity.pk}/move/", {"status": "in_progress", "expected_version": 1})
    entry = LogEntry.objects.get(user=coordinator)
    assert entry.object_id == str(activity.pk) and entry.is_change()
    assert activity.title in admin_client.get("/admin/").text.split("Recent actions", 1)[1]


def test_the_admin_shows_log_and_history_text_worded_not_as_stored_data(admin_client, activity, coordinator):
    milestone = factories.MilestoneFactory(activity=activity, order=1, title="Plan agreed", title_ru="План согласован")
    services.milestone_toggle(actor=Actor.for_user(coordinator), milestone=milestone, done=True)
    admin_client.cookies["django_language"] = "ru"
    history = admin_client.get(reverse("admin:tracker_activity_history", args=[activity.pk])).text
    assert "Веб-доска · coordinator — Контрольная точка «План" in history and '{"c":' not in history
    log = admin_client.get(reverse("admin:tracker_progressupdate_changelist")).text
    assert "Контрольная точка «План согласован» отмечена как выполненная" in log
