"""The audit trail: admin actions, API clients and webhook settings are recorded with who, when and what."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tests.api.conftest import client_with_key
from tracker import services, webhooks
from tracker.models import ApiClient, AuditEntry, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _only(action: str) -> AuditEntry:
    (entry,) = AuditEntry.objects.filter(action=action)
    return entry


def test_a_bulk_transition_in_the_admin_records_who_moved_what(coordinator_client, coordinator, activity,
                                                               priorities, body):
    cancelled = factories.ActivityFactory(priority=priorities[0], responsible_body=body, status="cancelled")
    before = timezone.now()
    coordinator_client.post(reverse("admin:tracker_activity_changelist"),
                            {"action": "mark_in_progress", "_selected_action": [activity.pk, cancelled.pk]})
    entry = _only(AuditEntry.Action.BULK_TRANSITION)
    assert (entry.user, entry.actor, entry.via) == (coordinator, "coordinator", "admin")
    assert entry.at >= before
    assert entry.detail["status"] == "in_progress"
    assert entry.detail["moved"] == [activity.pk]
    assert list(entry.detail["refused"]) == [str(cancelled.pk)]


def test_revoking_keys_in_the_admin_records_each_key(coordinator_client, coordinator):
    first, key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
    second, _key = factories.make_api_client("reporting", ApiClient.Scope.READ)
    coordinator_client.post(reverse("admin:tracker_apiclient_changelist"),
                            {"action": "revoke", "_selected_action": [first.pk, second.pk]})
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.API_CLIENT_REVOKED).order_by("object_repr")
    assert [(e.object_repr, e.object_id, e.actor) for e in entries] == [
        ("planning", str(first.pk), "coordinator"), ("reporting", str(second.pk), "coordinator")]
    assert client_with_key(key).get("/api/v1/activities/").status_code == 401


def test_creating_a_client_in_the_admin_is_recorded_without_the_key(coordinator_client):
    response = coordinator_client.post(reverse("admin:tracker_apiclient_add"), {"name": "mfa-docs", "scope": "read"},
                                       follow=True)
    key = next(str(m) for m in response.context["messages"] if "copy it now" in str(m)).split(" is ")[1].split()[0]
    entry = _only(AuditEntry.Action.API_CLIENT_CREATED)
    assert (entry.object_repr, entry.via, entry.detail["scope"]) == ("mfa-docs", "admin", "read")
    assert key not in str(entry.detail) and entry.detail["key_prefix"] == key[:len(entry.detail["key_prefix"])]


def test_the_create_api_client_command_is_recorded_with_the_operating_system_account(body):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_client", "mod-planning", "--scope", "write", "--body", body.code, stdout=out, stderr=err)
    entry = _only(AuditEntry.Action.API_CLIENT_CREATED)
    assert entry.via == "command" and entry.user is None
    assert "(manage.py create_api_client)" in entry.actor and "@" in entry.actor
    assert entry.detail["bodies"] == [body.code]
    assert out.getvalue().strip() not in str(entry.detail)


def test_the_revoke_command_stops_the_key_and_is_recorded(db):
    client, key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
    call_command("revoke_api_client", "planning", stdout=io.StringIO())
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert "revoked" in client_with_key(key).get("/api/v1/activities/").json()["detail"]
    entry = _only(AuditEntry.Action.API_CLIENT_REVOKED)
    assert (entry.object_id, entry.via) == (str(client.pk), "command")


def test_resending_webhook_deliveries_is_recorded(coordinator_client, coordinator, activity, editor_actor):
    WebhookSubscription.objects.create(name="Planning", url="http://127.0.0.1:9/hooks", secret="s3cret-for-tests")
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()
    WebhookDelivery.objects.filter(pk=delivery_id).update(status=WebhookDelivery.Status.FAILED)
    coordinator_client.post(reverse("admin:tracker_webhookdelivery_changelist"),
                            {"action": "resend", "_selected_action": [delivery_id]})
    entry = _only(AuditEntry.Action.WEBHOOK_RESENT)
    assert (entry.user, entry.detail["deliveries"], entry.detail["queued"]) == (coordinator, [delivery_id], 1)


def test_webhook_subscriptions_changed_through_the_api_are_recorded(coordinator):
    api = APIClient()
    api.force_login(coordinator)
    created = api.post("/api/v1/webhooks/", {"name": "Secretariat", "url": "https://hooks.example.org/t"},
                       format="json").json()
    api.patch(f"/api/v1/webhooks/{created['id']}/", {"active": False}, format="json")
    api.delete(f"/api/v1/webhooks/{created['id']}/")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "via", "actor", "object_id"))
    assert actions == [(action, "api", "coordinator", str(created["id"])) for action in (
        AuditEntry.Action.WEBHOOK_CREATED, AuditEntry.Action.WEBHOOK_CHANGED, AuditEntry.Action.WEBHOOK_DELETED)]


def test_a_refused_change_leaves_no_audit_entry(editor):
    api = APIClient()
    api.force_login(editor)
    response = api.post("/api/v1/webhooks/", {"name": "Mine", "url": "https://hooks.example.org/t"}, format="json")
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_coordinators_read_the_trail_in_the_admin_and_nobody_can_edit_it(coordinator_client, client, editor):
    call_command("create_api_client", "mod-planning", stdout=io.StringIO(), stderr=io.StringIO())
    entry = AuditEntry.objects.get()
    page = coordinator_client.get(reverse("admin:tracker_auditentry_changelist"))
    assert page.status_code == 200 and "mod-planning" in page.text
    change = coordinator_client.get(reverse("admin:tracker_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200 and 'name="actor"' not in change.text  # read-only
    assert coordinator_client.get(reverse("admin:tracker_auditentry_add")).status_code == 403
    assert coordinator_client.post(reverse("admin:tracker_auditentry_delete", args=[entry.pk]),
                                   {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    client.force_login(editor)
    assert client.get(reverse("admin:tracker_auditentry_changelist")).status_code == 403


def test_a_key_revoked_twice_through_two_doors_is_recorded_once(coordinator_client):
    """The admin's action and the command share one revoking service: the second door finds it done."""
    client, _key = factories.make_api_client("planning", ApiClient.Scope.WRITE)
    coordinator_client.post(reverse("admin:tracker_apiclient_changelist"),
                            {"action": "revoke", "_selected_action": [client.pk]})
    out = io.StringIO()
    call_command("revoke_api_client", "planning", stdout=out)
    assert "already revoked" in out.getvalue()
    entry = _only(AuditEntry.Action.API_CLIENT_REVOKED)
    assert (entry.via, entry.actor, entry.detail) == ("admin", "coordinator", {"key_prefix": client.key_prefix})


def test_a_webhook_switched_back_on_through_the_api_forgets_why_and_is_recorded(coordinator):
    subscription = WebhookSubscription.objects.create(name="ops", url="https://example.org/hook", active=False,
                                                      disabled_reason="Too many failures")
    api = APIClient()
    api.force_authenticate(coordinator)
    assert api.patch(f"/api/v1/webhooks/{subscription.pk}/", {"active": True}, format="json").status_code == 200
    subscription.refresh_from_db()
    assert (subscription.active, subscription.disabled_reason) == (True, "")
    entry = _only(AuditEntry.Action.WEBHOOK_CHANGED)
    assert (entry.via, entry.detail) == ("api", {"url": "https://example.org/hook", "changed": ["active"]})
