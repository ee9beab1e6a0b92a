"""Callers of the API: anonymous, staff by session, and API keys of every kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tracker.models import ApiClient


@pytest.fixture
def api():
    return APIClient()


def client_with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def client_for_user(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def write_client(db):
    """(ApiClient, its key): a ministry system with write scope for every body."""
    return factories.make_api_client("planning-system", ApiClient.Scope.WRITE)


@pytest.fixture
def write_api(write_client):
    return client_with_key(write_client[1])


@pytest.fixture
def read_api(db):
    return client_with_key(factories.make_api_client("dashboard-reader", ApiClient.Scope.READ)[1])


@pytest.fixture
def coordinator_api(coordinator):
    return client_for_user(coordinator)


@pytest.fixture
def editor_api(editor):
    return client_for_user(editor)


@pytest.fixture
def callers(db, coordinator, editor, outsider, viewer, other_body):
    """Every kind of caller, by name, for the permission matrices."""
    now = timezone.now()
    return {
        "anonymous": APIClient(),
        "viewer": client_for_user(viewer),
        "editor": client_for_user(editor),
        "outsider": client_for_user(outsider),
        "coordinator": client_for_user(coordinator),
        "read_key": client_with_key(factories.make_api_client("reader", ApiClient.Scope.READ)[1]),
        "write_key": client_with_key(factories.make_api_client("writer", ApiClient.Scope.WRITE)[1]),
        "other_body_key": client_with_key(
            factories.make_api_client("other-writer", ApiClient.Scope.WRITE, bodies=[other_body])[1]
        ),
        "revoked_key": client_with_key(
            factories.make_api_client("revoked", ApiClient.Scope.WRITE, revoked_at=now - dt.timedelta(days=1))[1]
        ),
        "expired_key": client_with_key(
            factories.make_api_client("expired", ApiClient.Scope.WRITE, expires_at=now - dt.timedelta(minutes=1))[1]
        ),
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The matrices log in five staff users per test; the production hasher would make that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
