"""The admin of background work: coordinators see deliveries with every attempt and can resend them;
subscriptions and their secrets are theirs alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tracker import services, webhooks
from tracker.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(activity, editor_actor, subscription, receiver):
    services.activity_update(actor=editor_actor, activity=activity, changes={"location": "Brest"})
    (delivery_id,) = webhooks.sweep()
    webhooks.deliver(delivery_id)
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_delivery_page_shows_every_attempt(client, coordinator, delivered):
    client.force_login(coordinator)
    page = client.get(reverse("admin:tracker_webhookdelivery_change", args=[delivered.pk]))
    assert page.status_code == 200
    assert "answered 200" in page.content.decode()


def test_resend_queues_a_delivered_event_again_with_the_same_event_id(
    client, coordinator, delivered, receiver, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("admin:tracker_webhookdelivery_changelist"),
                             {"action": "resend", "_selected_action": [delivered.pk]}, follow=True)
    assert "1 delivery queued again." in answer.content.decode()
    delivered.refresh_from_db()
    assert (delivered.status, delivered.attempts) == ("delivered", 2)
    assert [r.event_id for r in receiver.requests] == [str(delivered.event_id)] * 2


def test_editors_cannot_see_subscriptions_or_their_secrets(client, editor, subscription):
    client.force_login(editor)
    assert client.get(reverse("admin:tracker_webhooksubscription_changelist")).status_code == 403
    assert client.get(reverse("admin:tracker_webhookdelivery_changelist")).status_code == 403


def test_coordinator_adds_a_subscription_in_the_admin(client, coordinator, receiver):
    client.force_login(coordinator)
    answer = client.post(reverse("admin:tracker_webhooksubscription_add"), {
        "name": "Ministry planning", "url": receiver.url, "events": '["activity.status_changed"]',
        "secret": "shared-secret", "active": "on", "disabled_reason": "",
    })
    assert answer.status_code == 302
    assert WebhookSubscription.objects.get().created_by == coordinator
