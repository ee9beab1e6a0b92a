"""A worker killed while it sends deadline reminders: the task is handed out again after the restart and each
person gets each reminder exactly once, always with the same Message-ID. The emails go through SMTP to a
local server, so the sends of both worker processes are seen as a mail server sees them. (The webhook
counterpart is tests/jobs/test_integration.py.)"""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections import Counter

import pytest
from django.utils import timezone

from tests import factories
from tests.faults.support import running_smtp
from tests.jobs.processes import private_redis, wait_until, worker_env
from tests.jobs.support import broker
from tracker import tasks
from tracker.models import ReminderLog
from tracker.workflow import Status

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_reminders_is_replaced_and_nobody_gets_a_reminder_twice(
    priorities, body, tmp_path, workers, redis_server_binary
):
    body.contact_emails = "desk@mod.example.org\nchief@mod.example.org"
    body.save()
    due = timezone.localdate() + dt.timedelta(days=7)
    activities = [factories.ActivityFactory(priority=priorities[n], responsible_body=body, status=Status.IN_PROGRESS,
                                            title=f"Consultations {n}", due_date=due) for n in range(3)]
    expected = {(email, activity.pk) for activity in activities for email in body.contact_list}

    with private_redis() as redis_server, running_smtp(hold_at=3) as mailbox:
        env = worker_env(
            broker_env={"REDIS_URL": redis_server.url}, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(mailbox.port), EMAIL_CLAIM_TIMEOUT_SECONDS="1",
            CELERY_VISIBILITY_TIMEOUT="2",
        )
        first = workers(env)
        with broker(redis_server.url):
            assert tasks.enqueue(tasks.send_deadline_reminders)
        assert mailbox.holding.wait(40), first.output()  # two emails accepted, the third one on the wire
        first.kill(signal.SIGKILL)
        mailbox.release.set()
        wait_until(lambda: mailbox.dropped, timeout=5, what="the held email to be dropped")
        assert len(mailbox.accepted) == 2
        assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 2
        assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 1  # claimed by the dead worker

        time.sleep(2.5)  # past the visibility timeout: Redis hands the unacknowledged task out again
        second = workers(env)
        try:
            mailbox.wait_for(len(expected), timeout=40)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- second worker ---\n{second.output()}") from None
        time.sleep(1)  # nothing more comes

    sent = Counter((mail["To"], mail["Message-ID"]) for mail in mailbox.accepted)
    assert len(mailbox.accepted) == len(expected) == 6
    assert set(sent.values()) == {1}  # each person got each reminder once
    assert {to for to, _id in sent} == set(body.contact_list)
    assert len({message_id for _to, message_id in sent}) == 6
    assert mailbox.dropped[0]["Message-ID"] in {message_id for _to, message_id in sent}  # resent as the same email
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 6
