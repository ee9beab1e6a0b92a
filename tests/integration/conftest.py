"""Fixtures of the integration tests (issue 16): webhook receivers, keys with the webhooks scope."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import client_for_user, client_with_key
from tests.jobs.support import running_receiver
from tracker.models import ApiClient


@pytest.fixture
def receiver():
    with running_receiver() as running:
        yield running


@pytest.fixture
def hook_key(db):
    """(ApiClient, key): another ministry's system with write scope and the webhooks scope."""
    return factories.make_api_client("mod-system", ApiClient.Scope.WRITE, manage_webhooks=True,
                                     contact_email="ops@mod.example.org")


@pytest.fixture
def hook_api(hook_key):
    return client_with_key(hook_key[1])


@pytest.fixture
def other_hook_api(db):
    return client_with_key(factories.make_api_client("mfa-system", ApiClient.Scope.READ, manage_webhooks=True)[1])


@pytest.fixture
def coordinator_api(coordinator):
    return client_for_user(coordinator)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def write_api(db):
    """A write key without the webhooks scope."""
    return client_with_key(factories.make_api_client("planning-system", ApiClient.Scope.WRITE)[1])
