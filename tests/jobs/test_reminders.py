"""Deadline reminders: 14, 7 and 1 days before and once overdue, to the body's contacts and the watchers,
each sent once per activity, deadline, threshold and recipient, however often the job runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tracker.jobs import reminders
from tracker.models import Activity, DateBasis, ReminderLog, StaffProfile

pytestmark = pytest.mark.django_db

DUE = dt.date(2023, 9, 30)  # the activity fixture's due date


@pytest.fixture
def watcher(activity):
    user = factories.UserFactory(username="watcher", email="Watcher@Example.org")
    activity.watchers.add(user)
    return user


def _day(days_before_due: int) -> dt.date:
    return DUE - dt.timedelta(days=days_before_due)


@pytest.mark.parametrize(("days_left", "threshold"), [
    (20, None), (15, None), (14, "14d"), (8, "14d"), (7, "7d"), (2, "7d"), (1, "1d"), (0, "1d"),
    (-1, "overdue"), (-7, "overdue"), (-8, None),
])
def test_each_day_before_and_after_the_deadline_falls_under_one_threshold(days_left, threshold):
    assert reminders.threshold_for(days_left) == threshold


def test_fourteen_days_before_the_body_contacts_and_watchers_are_emailed(activity, watcher, mailoutbox):
    assert reminders.send_reminders(_day(14)) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["by-mod@example.org", "watcher@example.org"]
    message = mailoutbox[0]
    assert message.subject == "Due in 14 days: Joint exercises in Belarus"
    assert "due in 14 days, on 30 September 2023" in message.body
    assert f"/activities/{activity.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Joint exercises in Belarus</a>" in html


def test_a_title_with_ampersand_and_angle_brackets_reads_as_written_in_the_subject(activity, watcher, mailoutbox):
    """E-mail subjects are plain text: a title "R&D <phase 2>" arrived as "R&amp;D &lt;phase 2&gt;"."""
    Activity.objects.filter(pk=activity.pk).update(title="R&D <phase 2>")
    reminders.send_reminders(_day(14))
    assert {m.subject for m in mailoutbox} == {"Due in 14 days: R&D <phase 2>"}
    assert "R&amp;D &lt;phase 2&gt;" in mailoutbox[0].alternatives[0][0]  # the HTML part stays escaped


def test_running_twice_sends_each_reminder_once(activity, watcher, mailoutbox):
    reminders.send_reminders(_day(14))
    reminders.send_reminders(_day(14))
    reminders.send_reminders(_day(13))
    assert len(mailoutbox) == 2
    assert ReminderLog.objects.filter(threshold="14d", sent_at__isnull=False).count() == 2


def test_each_threshold_is_sent_in_turn(activity, mailoutbox):
    for days in (14, 10, 7, 3, 1, 0, -1, -2):
        reminders.send_reminders(_day(days))
    subjects = [m.subject for m in mailoutbox]
    assert subjects == [
        "Due in 14 days: Joint exercises in Belarus",
        "Due in 7 days: Joint exercises in Belarus",
        "Due in 1 day: Joint exercises in Belarus",
        "Overdue: Joint exercises in Belarus",
    ]


def test_a_missed_day_catches_up_with_the_latest_threshold_only(activity, mailoutbox):
    reminders.send_reminders(_day(5))
    assert [m.subject for m in mailoutbox] == ["Due in 5 days: Joint exercises in Belarus"]
    assert set(ReminderLog.objects.values_list("threshold", flat=True)) == {"7d"}
    reminders.send_reminders(_day(4))
    assert len(mailoutbox) == 1


def test_long_overdue_and_closed_activities_get_no_reminder(activity, priorities, body, mailoutbox):
    reminders.send_reminders(DUE + dt.timedelta(days=30))
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=DUE, status="done")
    reminders.send_reminders(_day(14))
    assert [m.subject for m in mailoutbox] == ["Due in 14 days: Joint exercises in Belarus"]


def test_a_moved_deadline_gets_its_own_reminders(activity, mailoutbox):
    reminders.send_reminders(_day(7))
    activity.due_date = DUE + dt.timedelta(days=7)
    activity.save()
    reminders.send_reminders(_day(0))  # 7 days before the new deadline
    assert len(mailoutbox) == 2


def test_watcher_reads_the_reminder_in_their_language(activity, watcher, mailoutbox):
    StaffProfile.objects.create(user=watcher, language="ru")
    activity.title_ru = "Совместные учения в Беларуси"
    activity.save()
    reminders.send_reminders(_day(7))
    russian = next(m for m in mailoutbox if m.to == ["watcher@example.org"])
    assert russian.subject == "Срок через 7 дней: Совместные учения в Беларуси"
    assert "Ответственный орган" in russian.body
    english = next(m for m in mailoutbox if m.to == ["by-mod@example.org"])
    assert english.subject == "Due in 7 days: Joint exercises in Belarus"


def test_a_reminder_whose_worker_died_after_claiming_it_is_sent_by_a_later_run(activity, mailoutbox):
    claimed = ReminderLog.objects.create(
        activity=activity, due_date=DUE, threshold="7d", recipient="by-mod@example.org",
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert reminders.send_reminders(_day(7)) == 1
    claimed.refresh_from_db()
    assert claimed.sent_at is not None and claimed.attempts == 2
    assert len(mailoutbox) == 1


def test_a_reminder_claimed_moments_ago_is_left_to_the_run_sending_it(activity, mailoutbox):
    ReminderLog.objects.create(activity=activity, due_date=DUE, threshold="7d", recipient="by-mod@example.org")
    assert reminders.send_reminders(_day(7)) == 0
    assert mailoutbox == []


def test_the_same_logical_email_keeps_its_message_id(activity, mailoutbox):
    ReminderLog.objects.create(
        activity=activity, due_date=DUE, threshold="7d", recipient="by-mod@example.org",
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    reminders.send_reminders(_day(7))
    ReminderLog.objects.update(sent_at=None, claimed_at=timezone.now() - dt.timedelta(hours=1))
    reminders.send_reminders(_day(7))
    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]


def test_the_reminder_says_what_the_deadline_rests_on(activity, mailoutbox):
    Activity.objects.filter(pk=activity.pk).update(
        date_basis=DateBasis.ASSUMPTION, date_basis_note="The source names 2023 but no date.")
    reminders.send_reminders(_day(14))
    message = mailoutbox[0]
    assert "Basis of the dates: Planning assumption. The source names 2023 but no date." in message.body
    assert "The source names 2023 but no date." in message.alternatives[0][0]
