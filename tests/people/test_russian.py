"""People on the board in Russian: the activity page's people and discussion, the inbox, the preferences,
the texts of notifications, and the e-mails in the recipient's language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from tracker import logtext, services
from tracker.models import Channel, EmailState, Notification, NotificationKind
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


def russian(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "ru"
    return client


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def test_the_activity_page_people_and_discussion_read_in_russian(activity, editor, coordinator_actor):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"owner": editor})
    page = russian(editor).get(f"/activities/{activity.pk}/").content.decode()
    text = visible_text(page)
    for words in ("Отписаться", "Обсуждение", "Комментариев пока нет."):
        assert words in text, words
    for english in ("Stop watching", "Discussion", "No comments yet.", "Post comment"):
        assert english not in text, english


def test_the_inbox_and_preferences_read_in_russian(activity, viewer, editor, run_notifications):
    services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=activity, body="@editor привет")
    run_notifications()
    client = russian(editor)
    inbox = visible_text(client.get("/inbox/").content.decode())
    assert "упомянул" in inbox
    for english in ("Mark all read", "Unread only", "Notification preferences", "mentioned you"):
        assert english not in inbox, english
    preferences = visible_text(client.get("/inbox/preferences/").content.decode())
    for english in ("Everything reaches your inbox", "In the daily digest", "E-mail at once", "Mentions"):
        assert english not in preferences, english


def test_every_kind_of_notification_and_e_mail_state_has_russian_words():
    params = {"by": "editor", "from": "planned", "to": "in_progress", "due_date": "2023-09-30",
              "title": "Concept note", "name": "Planning", "reason": "failing"}
    with translation.override("ru"):
        for kind in NotificationKind.values:
            text = logtext.describe_notification(kind, params)
            assert text and not re.search(r"\b(the|you|was|changed|added)\b", text), (kind, text)
        labels = [str(label) for _, label in EmailState.choices]
    assert all(re.search("[а-яё]", label) for label in labels), labels


def test_a_russian_readers_digest_is_in_russian(activity, viewer, editor, run_notifications, mailoutbox):
    from tracker import notifications

    editor.email = "editor@example.org"
    editor.save()
    editor.staff_profile.language = "ru"
    editor.staff_profile.save()
    services.notification_preferences_set(actor=Actor.for_user(editor, Channel.WEB), choices={"comment": "digest"})
    activity.watchers.add(editor)
    services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=activity, body="новости")
    run_notifications()
    assert notifications.send_digests() == 1
    assert re.search("[а-яё]", mailoutbox[0].subject) and "notification" not in mailoutbox[0].subject
    assert Notification.objects.get().email_state == EmailState.SENT
