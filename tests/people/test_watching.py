"""Watching for everyone: owners and contributors may stop watching, the automatic watching yields to it, a
later watch restores it; and an edit that names new people tells only them, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tracker import events, services
from tracker.models import Channel, Notification, OutboxEvent, WatchOptOut
from tracker.permissions import Actor
from tracker.selectors import people as people_selectors

pytestmark = pytest.mark.django_db


def actor(user):
    return Actor.for_user(user, Channel.WEB)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_status(activity, coordinator_actor, status):
    activity.refresh_from_db()
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"status": status})


def test_an_owner_who_unwatches_gets_no_notification_and_a_later_watch_restores_them(
        activity, editor, coordinator_actor, run_notifications):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    activity.refresh_from_db()
    assert people_selectors.is_watching(activity, editor)  # the owner watches without asking

    services.activity_watch(actor=actor(editor), activity=activity, watching=False)
    assert not people_selectors.is_watching(activity, editor)
    change_status(activity, coordinator_actor, "in_progress")
    run_notifications()
    assert not Notification.objects.filter(recipient=editor).exists()

    services.activity_watch(actor=actor(editor), activity=activity, watching=True)
    assert not WatchOptOut.objects.exists()
    activity.refresh_from_db()
    services.activity_update(actor=coordinator_actor, activity=activity,
                             changes={"due_date": activity.due_date - dt.timedelta(days=3)})
    run_notifications()
    assert list(Notification.objects.filter(recipient=editor).values_list("kind", flat=True)) == ["due_date"]


def test_a_contributor_who_unwatches_stays_out_when_commenting_or_mentioned(
        activity, viewer, editor, coordinator, coordinator_actor, run_notifications):
    services.activity_contributors_set(actor=coordinator_actor, activity=activity, contributors=[viewer])
    services.activity_watch(actor=actor(viewer), activity=activity, watching=False)
    services.comment_post(actor=actor(viewer), activity=activity, body="I step back from this one")
    services.comment_post(actor=actor(editor), activity=activity, body="noted")
    assert viewer.pk not in people_selectors.watcher_ids(activity)  # commenting did not re-subscribe them
    services.comment_post(actor=actor(coordinator), activity=activity, body="@viewer one question")
    run_notifications()
    # The comment by the editor did not reach them; the mention, addressed to them, did (once).
    assert list(Notification.objects.filter(recipient=viewer).values_list("kind", flat=True)) == ["mention"]
    assert viewer.pk not in people_selectors.watcher_ids(activity)


def test_the_web_toggle_shows_and_changes_an_owners_watching(activity, editor, coordinator_actor):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    client = login(editor)
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Stop watching" in page
    assert client.post(f"/activities/{activity.pk}/watch/", {"watch": "0"}).status_code == 302
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Stop watching" not in page and 'name="watch" value="1"' in page
    assert WatchOptOut.objects.filter(activity=activity, user=editor).exists()
    client.post(f"/activities/{activity.pk}/watch/", {"watch": "1"})
    assert "Stop watching" in client.get(f"/activities/{activity.pk}/").content.decode()


def test_a_watch_toggle_without_a_choice_is_refused_and_changes_nothing(activity, editor, coordinator_actor):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    response = login(editor).post(f"/activities/{activity.pk}/watch/", {"watch": "yes"})
    assert response.status_code == 400
    assert "Choose whether to watch this activity." in response.content.decode()
    assert not WatchOptOut.objects.filter(activity=activity, user=editor).exists()


def test_editing_a_comment_to_add_a_mention_tells_only_the_newly_mentioned_once(
        activity, viewer, editor, coordinator, run_notifications):
    comment = services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look")
    run_notifications()
    assert Notification.objects.filter(recipient=editor, kind="mention").count() == 1
    services.comment_edit(actor=actor(viewer), comment=comment, body="@editor please look, and @coordinator")
    run_notifications()
    assert Notification.objects.filter(recipient=coordinator, kind="mention").count() == 1
    assert Notification.objects.filter(recipient=editor).count() == 1  # already mentioned: not told again
    assert coordinator.pk in people_selectors.watcher_ids(activity)
    # Removing and naming them again, or an edit that names nobody new, tells nobody again.
    services.comment_edit(actor=actor(viewer), comment=comment, body="@editor please look")
    services.comment_edit(actor=actor(viewer), comment=comment, body="@editor please look, @coordinator?")
    run_notifications()
    assert Notification.objects.filter(recipient=coordinator).count() == 1
    assert Notification.objects.filter(recipient=viewer).count() == 0  # the author is never told of their own


def test_the_edit_mention_event_is_internal(activity, viewer, editor):
    comment = services.comment_post(actor=actor(viewer), activity=activity, body="hello")
    services.comment_edit(actor=actor(viewer), comment=comment, body="hello @editor")
    event = OutboxEvent.objects.get(event_type=events.COMMENT_MENTIONED)
    assert event.payload["mentions"] == [editor.pk]
    assert events.COMMENT_MENTIONED not in events.EVENT_TYPES  # neither webhooks nor the feed carry it


def test_an_edit_after_the_window_cannot_mention_anyone(activity, viewer, editor, monkeypatch, run_notifications):
    from tracker import clock
    from tracker.errors import NotPermitted

    comment = services.comment_post(actor=actor(viewer), activity=activity, body="hello")
    later = clock.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr("tracker.clock.now", lambda: later)
    with pytest.raises(NotPermitted):
        services.comment_edit(actor=actor(viewer), comment=comment, body="hello @editor")
    run_notifications()
    assert not Notification.objects.filter(recipient=editor).exists()


def test_an_activity_becoming_overdue_and_a_document_added_reach_its_watchers(
        activity, editor, viewer, coordinator_actor, run_notifications, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tracker.jobs import risk

    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    activity.watchers.add(viewer)
    assert risk.emit_overdue_events(activity.due_date + dt.timedelta(days=1)) == [activity.pk]
    activity.refresh_from_db()
    services.document_add(actor=coordinator_actor, activity=activity, title="Minutes", kind="minutes",
                          upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    run_notifications()
    for person in (editor, viewer):
        assert set(Notification.objects.filter(recipient=person).values_list("kind", flat=True)) == {
            "overdue", "document"}, person


def test_the_web_request_makes_no_notification_the_task_does_from_the_outbox(
        activity, viewer, editor, run_notifications):
    response = login(viewer).post(f"/activities/{activity.pk}/comments/", {"body": "@editor see the plan"})
    assert response.status_code == 302
    assert not Notification.objects.exists()  # the request only wrote the outbox event
    assert OutboxEvent.objects.get(event_type=events.COMMENT_POSTED).notified_at is None
    assert run_notifications() == 1
    assert Notification.objects.get().recipient == editor
