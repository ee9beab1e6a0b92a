"""Review reminders: once per overdue review and recipient; the owner first, else the body's editors."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.delivery.conftest import TODAY
from tracker import tasks
from tracker.jobs import review_reminders
from tracker.models import Channel, ReviewReminderLog, Role
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db


def _assess(user, activity, review):
    return services_delivery.assessment_create(actor=Actor.for_user(user, Channel.WEB), activity=activity,
                                               rating="amber", narrative="Venue", next_review=review)


def test_the_owner_is_reminded_once_when_the_review_date_passes(editor, activity, mailoutbox):
    editor.email = "editor@example.org"
    editor.save()
    _assess(editor, activity, TODAY + dt.timedelta(days=2))
    assert review_reminders.send_review_reminders(TODAY + dt.timedelta(days=2)) == 0  # due today, not overdue
    assert review_reminders.send_review_reminders(TODAY + dt.timedelta(days=3)) == 1
    assert review_reminders.send_review_reminders(TODAY + dt.timedelta(days=4)) == 0  # once
    assert mailoutbox[0].to == ["editor@example.org"]
    assert "Review due" in mailoutbox[0].subject and activity.title in mailoutbox[0].subject


def test_without_a_reachable_owner_the_bodys_editors_are_told(coordinator, activity, body, mailoutbox, monkeypatch):
    from tracker import clock

    colleague = factories.make_staff("colleague", Role.EDITOR, body)
    colleague.email = "colleague@example.org"
    colleague.save()
    coordinator.email = ""  # the owner cannot be reached
    coordinator.save()
    _assess(coordinator, activity, TODAY)
    monkeypatch.setattr(clock, "today", lambda: TODAY + dt.timedelta(days=1))
    assert tasks.send_review_reminders.run() == 1  # the Celery task runs the job
    assert [m.to for m in mailoutbox] == [["colleague@example.org"]]
    assert ReviewReminderLog.objects.filter(sent_at__isnull=False).count() == 1


def test_a_new_assessment_ends_the_reminders_of_the_last(editor, activity, mailoutbox):
    editor.email = "editor@example.org"
    editor.save()
    _assess(editor, activity, TODAY)
    _assess(editor, activity, TODAY + dt.timedelta(days=30))
    assert review_reminders.send_review_reminders(TODAY + dt.timedelta(days=5)) == 0
    assert mailoutbox == []
