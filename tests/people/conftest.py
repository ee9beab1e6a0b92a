"""Fixtures for people on the board (issue 13)."""

from __future__ import annotations

import pytest

from tracker.models import OutboxEvent


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_notifications():
    """What the worker does after a commit: the notifications task over the events not yet handled."""
    from tracker import tasks

    def run() -> int:
        ids = [str(pk) for pk in OutboxEvent.objects.filter(notified_at__isnull=True).values_list("pk", flat=True)]
        return tasks.notifications_make(ids)

    return run
