"""Webhook subscriptions over the API: coordinators only; the secret is shown once, at creation."""

from __future__ import annotations

import pytest

from tracker.models import WebhookSubscription

pytestmark = pytest.mark.django_db


def test_creating_a_subscription_shows_the_secret_once(coordinator_api):
    response = coordinator_api.post("/api/v1/webhooks/", {
        "name": "Secretariat", "url": "https://hooks.example.org/tracker", "events": ["activity.status_changed"],
    }, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    stored = WebhookSubscription.objects.get()
    assert created["secret"] == stored.secret and len(stored.secret) >= 32
    assert "secret" not in coordinator_api.get(f"/api/v1/webhooks/{stored.pk}/").json()
    assert "secret" not in coordinator_api.get("/api/v1/webhooks/").json()["results"][0]


def test_unknown_events_and_bad_urls_are_refused(coordinator_api):
    response = coordinator_api.post("/api/v1/webhooks/", {
        "name": "X", "url": "ftp://example.org/x", "events": ["activity.exploded"]}, format="json")
    assert response.status_code == 400
    assert {"url", "events"} <= {key.split("[")[0] for key in response.json()["errors"]}
    assert not WebhookSubscription.objects.exists()


def test_private_addresses_are_refused_in_production(coordinator_api, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    response = coordinator_api.post("/api/v1/webhooks/", {"name": "X", "url": "http://127.0.0.1:8080/hook"},
                                    format="json")
    assert response.status_code == 400
    assert "url" in response.json()["errors"]


def test_the_secret_cannot_be_set_by_the_client(coordinator_api):
    response = coordinator_api.post("/api/v1/webhooks/", {
        "name": "X", "url": "https://hooks.example.org/x", "secret": "chosen"}, format="json")
    assert response.status_code == 400
    assert "secret" in response.json()["errors"]


def test_patch_and_delete(coordinator_api):
    hook = WebhookSubscription.objects.create(name="X", url="https://hooks.example.org/x", active=False,
                                              disabled_reason="Too many failures")
    response = coordinator_api.patch(f"/api/v1/webhooks/{hook.pk}/", {"active": True}, format="json")
    assert response.json()["active"] is True
    hook.refresh_from_db()
    assert hook.disabled_reason == ""
    assert coordinator_api.delete(f"/api/v1/webhooks/{hook.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_editors_and_api_keys_may_not_manage_webhooks(editor_api, write_api):
    payload = {"name": "X", "url": "https://hooks.example.org/x"}
    assert editor_api.post("/api/v1/webhooks/", payload, format="json").status_code == 403
    assert write_api.post("/api/v1/webhooks/", payload, format="json").status_code == 403
    assert write_api.get("/api/v1/webhooks/").status_code == 403
