"""Notification e-mails are never lost: each row carries its e-mail state; a claim whose worker died is sent
by the sweep once its lease runs out, a failed send is tried again, and nothing is sent twice by the sweep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from tracker import notification_email, notifications, services
from tracker.models import Channel, EmailChoice, EmailState, Notification, OutboxEvent
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


def actor(user):
    return Actor.for_user(user, Channel.WEB)


@pytest.fixture
def reader(editor):
    editor.email = "editor@example.org"
    editor.save()
    return editor


@pytest.fixture
def later(monkeypatch):
    """Move the e-mail sender's clock on by some seconds (a lease running out, a retry falling due)."""
    def move(seconds: int) -> None:
        moment = timezone.now() + dt.timedelta(seconds=seconds)
        monkeypatch.setattr(notification_email, "_now", lambda: moment)
    return move


def made_without_sending() -> Notification:
    """What the notifications task does up to the commit of the rows, as if its worker died right after."""
    for event in OutboxEvent.objects.filter(notified_at__isnull=True):
        notifications.make_for_event(event)
    return Notification.objects.get()


def test_an_email_claimed_by_a_worker_that_died_is_sent_once_by_the_sweep(
        activity, viewer, reader, mailoutbox, later, settings):
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look")
    row = made_without_sending()
    assert (row.email_choice, row.email_state) == (EmailChoice.NOW, EmailState.PENDING)
    assert [r.pk for r in notification_email.claim(Q(pk=row.pk))] == [row.pk]  # claimed ... then the crash
    assert notification_email.sweep() == 0  # the lease still holds: the claimant may yet send it
    later(settings.NOTIFICATION_EMAIL_LEASE_SECONDS + 1)
    assert notification_email.sweep() == 1
    assert notification_email.sweep() == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["editor@example.org"]
    row.refresh_from_db()
    assert row.email_state == EmailState.SENT and row.emailed_at is not None and row.email_attempts == 2


def test_an_at_once_row_the_task_never_sent_is_sent_by_the_sweep(activity, viewer, reader, mailoutbox):
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look")
    made_without_sending()
    notifications.sweep()
    notifications.sweep()
    assert len(mailoutbox) == 1


def test_two_senders_never_both_claim_a_row(activity, viewer, reader, mailoutbox):
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look")
    row = made_without_sending()
    assert notification_email.claim(Q(pk=row.pk))
    assert notification_email.claim(Q(pk=row.pk)) == []
    assert notifications.send_immediate(event_id=row.event_id) == 0 and mailoutbox == []


def test_a_failed_send_is_tried_again_later_and_fails_for_good_after_the_last_attempt(
        activity, viewer, reader, mailoutbox, later, settings, monkeypatch):
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 2
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look")
    row = made_without_sending()

    def refuse(**kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(notification_email.mailing, "send", refuse)
    assert notifications.send_immediate(event_id=row.event_id) == 0
    row.refresh_from_db()
    assert (row.email_state, row.email_attempts) == (EmailState.PENDING, 1)
    assert notification_email.sweep() == 0  # not before its retry time
    later(settings.NOTIFICATION_EMAIL_RETRY_SECONDS + 1)
    assert notification_email.sweep() == 0
    row.refresh_from_db()
    assert row.email_state == EmailState.FAILED  # the inbox still has it; the operators have the log
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_a_failed_send_goes_out_when_the_mail_server_is_back(
        activity, viewer, reader, mailoutbox, later, settings, monkeypatch):
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor please look")
    row = made_without_sending()
    send = notification_email.mailing.send

    def refuse(**kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(notification_email.mailing, "send", refuse)
    notifications.send_immediate(event_id=row.event_id)
    monkeypatch.setattr(notification_email.mailing, "send", send)
    later(settings.NOTIFICATION_EMAIL_RETRY_SECONDS + 1)
    assert notification_email.sweep() == 1 and len(mailoutbox) == 1


def test_a_digest_claimed_by_a_worker_that_died_is_sent_as_one_digest(
        activity, viewer, reader, mailoutbox, later, settings):
    services.notification_preferences_set(actor=actor(reader), choices={"mention": EmailChoice.DIGEST})
    for n in range(2):
        services.comment_post(actor=actor(viewer), activity=activity, body=f"@editor point {n}")
    for event in OutboxEvent.objects.all():
        notifications.make_for_event(event)
    assert notification_email.sweep() == 0  # digest rows wait for the daily digest
    claimed = notification_email.claim(Q(recipient=reader, email_choice=EmailChoice.DIGEST))
    assert len(claimed) == 2  # ... and the digest's worker died
    assert notifications.send_digests() == 0  # claimed: the next digest run leaves them to the sweep
    later(settings.NOTIFICATION_EMAIL_LEASE_SECONDS + 1)
    assert notification_email.sweep() == 1
    assert notification_email.sweep() == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "Agenda: 2 new notifications"
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_a_digest_row_read_before_the_digest_is_not_mailed(activity, viewer, reader, mailoutbox):
    services.notification_preferences_set(actor=actor(reader), choices={"mention": EmailChoice.DIGEST})
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor point")
    made_without_sending()
    services.notifications_mark(actor=actor(reader), read=True)
    assert notifications.send_digests() == 0 and mailoutbox == []
    assert Notification.objects.get().email_state == EmailState.SKIPPED


def test_never_and_no_address_are_skipped_when_made(activity, viewer, editor, coordinator, mailoutbox):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    editor.email = ""
    editor.save()
    services.notification_preferences_set(actor=actor(coordinator), choices={"mention": EmailChoice.NEVER})
    services.comment_post(actor=actor(viewer), activity=activity, body="@editor @coordinator hello")
    for event in OutboxEvent.objects.all():
        notifications.make_for_event(event)
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SKIPPED}
    assert notification_email.sweep() == 0 and notifications.send_digests() == 0 and mailoutbox == []
