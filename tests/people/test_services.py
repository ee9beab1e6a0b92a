"""Owners, comments, watchers and notifications through the services, for each role."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tracker import clock, events, notifications, services
from tracker.errors import InvalidInput, NotPermitted
from tracker.models import Channel, Comment, EmailChoice, Notification, NotificationPreference, OutboxEvent, Role
from tracker.permissions import Actor


def actor(user):
    return Actor.for_user(user, Channel.WEB)


# --- Owner ---------------------------------------------------------------------------------------------------

def test_an_editor_of_the_body_or_a_coordinator_may_own_an_activity(activity, editor, coordinator, editor_actor):
    services.activity_update(actor=editor_actor, activity=activity, changes={"owner": editor})
    activity.refresh_from_db()
    assert activity.owner == editor
    services.activity_update(actor=editor_actor, activity=activity, changes={"owner": coordinator})
    activity.refresh_from_db()
    assert activity.owner == coordinator


def test_a_viewer_or_an_editor_of_another_body_cannot_own_it(activity, viewer, outsider, editor_actor):
    for person in (viewer, outsider):
        with pytest.raises(InvalidInput) as refused:
            services.activity_update(actor=editor_actor, activity=activity, changes={"owner": person})
        assert "owner" in refused.value.errors
    activity.refresh_from_db()
    assert activity.owner is None and activity.version == 1


def test_moving_the_activity_to_a_body_its_owner_cannot_edit_is_refused(
        activity, editor, coordinator_actor, other_body):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    with pytest.raises(InvalidInput):
        services.activity_update(actor=coordinator_actor, activity=activity, changes={"responsible_body": other_body})


def test_owner_is_in_the_webhook_payload(activity, editor, editor_actor):
    services.activity_update(actor=editor_actor, activity=activity, changes={"owner": editor})
    activity.refresh_from_db()
    assert events.activity_representation(activity)["owner"] == "editor"


# --- Comments ------------------------------------------------------------------------------------------------

def test_anyone_who_sees_the_activity_may_comment_and_replies_stay_one_level(activity, viewer, editor):
    first = services.comment_post(actor=actor(viewer), activity=activity, body="When is the rehearsal?")
    reply = services.comment_post(actor=actor(editor), activity=activity, body="In May.", parent=first)
    nested = services.comment_post(actor=actor(viewer), activity=activity, body="Thanks", parent=reply)
    assert reply.parent == first and nested.parent == first
    assert set(activity.watchers.all()) == {viewer, editor}
    assert OutboxEvent.objects.filter(event_type=events.COMMENT_POSTED).count() == 3


def test_a_mention_of_a_known_person_is_kept_and_an_unknown_name_stays_text(activity, viewer, editor):
    comment = services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look; @ghost too")
    assert list(comment.mentions.all()) == [editor]
    html = comment_html(comment)
    assert '<span class="mention">@editor</span>' in html and "@ghost" in html and "mention\">@ghost" not in html


def comment_html(comment):
    from tracker import richtext

    return str(richtext.render(comment.body, [u.username for u in comment.mentions.all()]))


def test_an_empty_or_control_character_comment_is_refused(activity, viewer):
    for body in ("", "   ", "a\x00b", None, 5):
        with pytest.raises(InvalidInput) as refused:
            services.comment_post(actor=actor(viewer), activity=activity, body=body)
        assert "body" in refused.value.errors
    assert not Comment.objects.exists()


def test_the_author_may_edit_for_15_minutes_and_the_earlier_text_is_kept(activity, viewer, editor, monkeypatch):
    comment = services.comment_post(actor=actor(viewer), activity=activity, body="Frist")
    services.comment_edit(actor=actor(viewer), comment=comment, body="First")
    comment.refresh_from_db()
    assert comment.body == "First" and comment.edited_at is not None
    assert [r.body for r in comment.revisions.all()] == ["Frist"]
    with pytest.raises(NotPermitted):
        services.comment_edit(actor=actor(editor), comment=comment, body="Mine now")
    later = clock.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(NotPermitted) as refused:
        services.comment_edit(actor=actor(viewer), comment=comment, body="Too late")
    assert "15" in refused.value.message


def test_only_coordinators_hide_comments_and_who_and_why_are_kept(activity, viewer, editor, coordinator):
    comment = services.comment_post(actor=actor(viewer), activity=activity, body="off topic")
    with pytest.raises(NotPermitted):
        services.comment_hide(actor=actor(editor), comment=comment, reason="no")
    with pytest.raises(InvalidInput):
        services.comment_hide(actor=actor(coordinator), comment=comment, reason="")
    services.comment_hide(actor=actor(coordinator), comment=comment, reason="Off topic")
    comment.refresh_from_db()
    assert comment.hidden_by == coordinator and comment.hidden_reason == "Off topic"
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_api_write_key_comments_as_the_system_and_a_read_key_cannot(activity):
    writer = Actor.for_client(factories.make_api_client("sync")[0])
    comment = services.comment_post(actor=writer, activity=activity, body="Imported from the portal")
    assert comment.author is None and comment.api_client.name == "sync"
    reader = Actor.for_client(factories.make_api_client("reader", scope="read")[0])
    with pytest.raises(NotPermitted):
        services.comment_post(actor=reader, activity=activity, body="no")


def test_deleting_an_activity_keeps_its_comments(activity, viewer, coordinator_actor):
    comment = services.comment_post(actor=actor(viewer), activity=activity, body="kept")
    services.activity_delete(actor=coordinator_actor, activity=activity)
    comment.refresh_from_db()
    assert comment.activity is None and comment.activity_title == activity.title


# --- Notifications -------------------------------------------------------------------------------------------

def test_watchers_are_told_of_a_comment_and_the_mentioned_person_of_the_mention(
        activity, viewer, editor, coordinator, run_notifications):
    activity.watchers.add(coordinator)
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor can you confirm?")
    run_notifications()
    kinds = dict(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == {"editor": "mention", "coordinator": "comment"}  # the author is not told of their own


def test_a_redelivered_event_makes_no_second_notification(activity, viewer, editor, run_notifications):
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor hello")
    event = OutboxEvent.objects.get(event_type=events.COMMENT_POSTED)
    run_notifications()
    OutboxEvent.objects.filter(pk=event.pk).update(notified_at=None)  # as if the task ran again
    run_notifications()
    notifications.make_for_event(event)
    assert Notification.objects.filter(recipient=editor).count() == 1


def test_status_due_date_and_milestone_changes_reach_the_owner_and_contributors(
        activity, editor, viewer, coordinator, coordinator_actor, run_notifications):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    services.activity_contributors_set(actor=coordinator_actor, activity=activity, contributors=[viewer])
    activity.refresh_from_db()
    services.activity_update(actor=coordinator_actor, activity=activity,
                             changes={"status": "in_progress", "due_date": activity.due_date - dt.timedelta(days=3)})
    milestone = factories.MilestoneFactory(activity=activity)
    activity.refresh_from_db()
    services.milestone_toggle(actor=coordinator_actor, milestone=milestone, done=True)
    run_notifications()
    for person in (editor, viewer):
        assert set(Notification.objects.filter(recipient=person).values_list("kind", flat=True)) == {
            "status", "due_date", "milestone"}
    assert not Notification.objects.filter(recipient=coordinator).exists()  # nobody hears of their own change


def test_a_document_added_event_from_the_documents_branch_tells_the_watchers(activity, viewer, run_notifications):
    from django.db import transaction

    activity.watchers.add(viewer)
    with transaction.atomic():
        events.emit(events.DOCUMENT_ADDED, activity, {"document": {"id": 7, "title": "Concept note"}, "by": "editor"})
    run_notifications()
    row = Notification.objects.get(recipient=viewer)
    assert row.kind == "document"
    from tracker import logtext

    assert logtext.describe_notification(row.kind, row.params) == "Document “Concept note” added."


def test_email_at_once_is_in_the_recipients_language_and_sent_once(
        activity, viewer, editor, run_notifications, mailoutbox):
    editor.email = "editor@example.org"
    editor.save()
    editor.staff_profile.language = "ru"
    editor.staff_profile.save()
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor hello")
    run_notifications()
    notifications.send_immediate(event_id=Notification.objects.get().event_id)
    assert len(mailoutbox) == 1
    assert "упомянул" in mailoutbox[0].body


def test_digest_and_never_preferences(activity, viewer, editor, run_notifications, mailoutbox):
    editor.email = "editor@example.org"
    editor.save()
    services.notification_preferences_set(actor=actor(editor), choices={"mention": EmailChoice.DIGEST})
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor one")
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor two")
    run_notifications()
    assert mailoutbox == []
    assert notifications.send_digests() == 1 and len(mailoutbox) == 1
    assert notifications.send_digests() == 0
    services.notification_preferences_set(actor=actor(editor), choices={"mention": EmailChoice.NEVER})
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor three")
    run_notifications()
    assert notifications.send_digests() == 0 and len(mailoutbox) == 1
    assert Notification.objects.filter(recipient=editor).count() == 3  # the inbox has them all
    with pytest.raises(InvalidInput):
        services.notification_preferences_set(actor=actor(editor), choices={"mention": "hourly"})
    assert NotificationPreference.objects.get(user=editor).email == EmailChoice.NEVER


def test_people_without_access_are_not_notified(activity, viewer, editor, run_notifications):
    activity.watchers.add(editor)
    editor.is_active = False
    editor.save()
    services.comment_post(actor=actor(viewer), activity=activity, body="anyone?")
    run_notifications()
    assert not Notification.objects.exists()


def test_marking_read_unread_and_all(activity, viewer, editor, run_notifications):
    for n in range(3):
        services.comment_post(actor=actor(viewer), activity=activity, body=f"@editor {n}")
    run_notifications()
    first = Notification.objects.filter(recipient=editor).first()
    assert services.notifications_mark(actor=actor(editor), read=True, ids=[first.pk]) == 1
    assert notifications.unread_count(editor) == 2
    assert services.notifications_mark(actor=actor(editor), read=False, ids=[first.pk]) == 1
    # Someone else's ids change nothing.
    assert services.notifications_mark(actor=actor(viewer), read=True, ids=[first.pk]) == 0
    assert services.notifications_mark(actor=actor(editor), read=True) == 3
    assert notifications.unread_count(editor) == 0


def test_saved_views_keep_only_filters_and_names_are_unique_per_person(viewer, editor):
    view = services.saved_view_create(actor=actor(viewer), name="MFA: China dialogue",
                                      query="body=2&status=planned&evil=1&owner=me", shared=True)
    assert view.query == "body=2&status=planned&owner=me"
    with pytest.raises(InvalidInput) as refused:
        services.saved_view_create(actor=actor(viewer), name="MFA: China dialogue", query="")
    assert "name" in refused.value.errors
    with pytest.raises(NotPermitted):
        services.saved_view_delete(actor=actor(editor), view=view)
    services.saved_view_delete(actor=actor(viewer), view=view)


def test_roles_fixture_sanity(viewer):
    assert viewer.staff_profile.role == Role.VIEWER


def test_a_successor_waiting_on_a_moved_predecessor_tells_its_watchers_once(
        activity, priorities, body, viewer, coordinator_actor, run_notifications):
    """The schedule (issue 17) flags a successor once its predecessor's due date passes its start; its
    watchers hear of it in the inbox, once, however often the event is handled."""
    predecessor = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Planning conference",
                                            start_date=activity.start_date, due_date=activity.start_date)
    services.dependency_create(actor=coordinator_actor, predecessor=predecessor, successor=activity)
    activity.watchers.add(viewer)
    predecessor.refresh_from_db()
    services.activity_update(actor=coordinator_actor, activity=predecessor, expected_version=predecessor.version,
                             changes={"due_date": activity.start_date + dt.timedelta(days=20)})
    run_notifications()
    waiting_events = OutboxEvent.objects.filter(event_type=events.ACTIVITY_WAITING, activity=activity).count()
    assert waiting_events >= 1
    run_notifications()
    assert notifications.sweep() == 0  # a second look at the same events makes nothing new
    rows = Notification.objects.filter(recipient=viewer, kind="waiting").order_by("created_at")
    assert rows.count() == waiting_events
    row = rows.last()
    assert row.activity_id == activity.pk
    from tracker import logtext

    assert logtext.describe_notification(row.kind, row.params).startswith("Waiting on “Planning conference” (due ")


def test_a_switched_off_webhook_is_a_notice_for_each_coordinator_not_for_others(
        coordinator, editor, viewer, run_notifications, mailoutbox):
    from tracker import logtext, webhooks
    from tracker.models import WebhookSubscription

    subscription = WebhookSubscription.objects.create(name="MFA sync", url="https://hooks.example.org/a",
                                                      secret="s3cret-for-tests")
    assert webhooks.disable_subscription(subscription, reason="Failing for 72 hours")
    run_notifications()
    run_notifications()
    row = Notification.objects.get()
    assert row.recipient == coordinator and row.kind == "webhook" and row.activity is None
    assert logtext.describe_notification(row.kind, row.params) == (
        "Webhook subscription “MFA sync” was switched off: Failing for 72 hours")
    emails = len(mailoutbox)
    notifications.send_immediate(event_id=row.event_id)
    assert len(mailoutbox) == emails  # e-mailed once already, by webhooks.notify_disabled
