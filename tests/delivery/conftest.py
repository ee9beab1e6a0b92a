"""Fixtures for the secretariat's rhythm: a fixed "today" inside the 2023 presidency."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2023, 6, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The tracker's "today" is mid-presidency, so that overdue, pace and review dates mean something."""
    from tracker import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
