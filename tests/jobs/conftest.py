"""Fixtures of the background-job tests: eager Celery tasks, a webhook receiver, a subscription."""

from __future__ import annotations

import pytest

from tests.jobs.support import running_receiver
from tracker.models import WebhookSubscription


@pytest.fixture
def eager_tasks():
    """Celery tasks run inline, in this process and transaction, as in Celery's eager mode."""
    from presidency.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def receiver():
    with running_receiver() as running:
        yield running


@pytest.fixture
def subscription(db, receiver):
    return WebhookSubscription.objects.create(name="Planning system", url=receiver.url, secret="s3cret-for-tests")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The shared fixtures create several users each; the real hasher costs ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
