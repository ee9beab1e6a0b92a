"""Weekly digests: what changed, what is due in two weeks and what is overdue, once a week, in the
reader's language, for those who want one."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tracker import services
from tracker.jobs import digests
from tracker.models import DigestLog, Role, StaffProfile

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 9, 20)


@pytest.fixture
def agenda(activity, priorities, body, other_body, editor_actor, coordinator_actor):
    """Due in 10 days (changed this week), overdue, far off, and another body's overdue activity."""
    services.progress_report(actor=editor_actor, activity=activity, progress=60, note="Troops deployed")
    late = factories.ActivityFactory(
        priority=priorities[0], responsible_body=body, title="Report on drug trafficking",
        title_ru="Доклад о наркотрафике", due_date=dt.date(2023, 9, 1),
    )
    factories.ActivityFactory(priority=priorities[1], responsible_body=body, title="Year-end summit",
                              due_date=dt.date(2023, 11, 23))
    foreign = factories.ActivityFactory(priority=priorities[1], responsible_body=other_body,
                                        title="Consultations on Afghanistan", due_date=dt.date(2023, 9, 10))
    return {"late": late, "foreign": foreign}


def _to(address: str, outbox: list):
    (message,) = [m for m in outbox if m.to == [address]]
    return message


def _reader(username: str, role: str = Role.COORDINATOR, body=None, **profile):
    user = factories.make_staff(username, role, body)
    StaffProfile.objects.filter(user=user).update(**profile)
    return user


def test_digest_lists_changes_deadlines_and_overdue_work(agenda, mailoutbox, coordinator):
    assert digests.send_digests(TODAY) == 2  # the coordinator, and the editor the agenda fixture acted as
    message = _to("coordinator@example.org", mailoutbox)
    assert message.subject == "Weekly digest for the week of 18 September 2023"
    overdue, due_soon, changes = message.body.split("== ")[1:4]
    assert "Overdue (2)" in overdue and "Report on drug trafficking" in overdue
    assert "Consultations on Afghanistan" in overdue
    # How late each is, the latest first.
    lines = [line for line in overdue.splitlines() if line.startswith("- ")]
    assert "Report on drug trafficking" in lines[0] and "(19 days late)" in lines[0]
    assert "Consultations on Afghanistan" in lines[1] and "(10 days late)" in lines[1]
    assert "Due in the next 14 days (1)" in due_soon and "Joint exercises in Belarus" in due_soon
    assert "Year-end summit" not in message.body
    assert "Changes in the past 7 days" in changes and "0% → 60%" in changes and "Troops deployed" in changes
    assert "<h2" in message.alternatives[0][0]


def test_digest_is_sent_once_a_week(agenda, mailoutbox, coordinator):
    digests.send_digests(TODAY)
    digests.send_digests(TODAY + dt.timedelta(days=2))
    assert [m.to for m in mailoutbox].count(["coordinator@example.org"]) == 1
    digests.send_digests(TODAY + dt.timedelta(days=7))
    assert [m.to for m in mailoutbox].count(["coordinator@example.org"]) == 2


def test_digest_in_russian_for_a_russian_reader(agenda, mailoutbox):
    _reader("olga", language="ru")
    digests.send_digests(TODAY)
    message = _to("olga@example.org", mailoutbox)
    assert message.subject == "Еженедельная сводка за неделю с 18 сентября 2023 г."
    assert "Просрочено (2)" in message.body
    assert "Доклад о наркотрафике" in message.body
    assert "Срок наступает в течение 14 дней (1)" in message.body
    assert "Изменения за 7 дней (1)" in message.body
    assert "Weekly" not in message.body


def test_editor_reads_about_their_body_and_what_they_watch(agenda, mailoutbox, body, other_body):
    editor = _reader("ivan", Role.EDITOR, body)
    _reader("petr", Role.EDITOR, other_body)
    digests.send_digests(TODAY)
    by_reader = {m.to[0]: m.body for m in mailoutbox}
    assert "Consultations on Afghanistan" not in by_reader["ivan@example.org"]
    assert "Report on drug trafficking" in by_reader["ivan@example.org"]
    assert "Joint exercises in Belarus" not in by_reader["petr@example.org"]
    agenda["foreign"].watchers.add(editor)
    DigestLog.objects.all().delete()
    mailoutbox.clear()
    digests.send_digests(TODAY)
    assert "Consultations on Afghanistan" in next(m.body for m in mailoutbox if m.to == ["ivan@example.org"])


def test_no_digest_for_those_who_opted_out_or_have_nothing_to_read(activity, mailoutbox):
    _reader("quiet", wants_digest=False)
    _reader("idle", Role.EDITOR, factories.BodyFactory(code="idle-body"))
    assert digests.send_digests(dt.date(2023, 3, 1)) == 0
    assert mailoutbox == []
    assert DigestLog.objects.get().skipped
