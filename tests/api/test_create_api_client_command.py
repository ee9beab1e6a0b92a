"""`manage.py create_api_client`: prints the key once and stores only its hash."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import client_with_key
from tracker.models import ApiClient, hash_api_key

pytestmark = pytest.mark.django_db


def _create(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_client", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_the_printed_key_works_and_is_stored_only_as_a_hash(activity):
    key = _create("mfa-by-planning", "--scope", "read")
    client = ApiClient.objects.get(name="mfa-by-planning")
    assert client.key_hash == hash_api_key(key) and key not in (client.key_hash, client.key_prefix * 2)
    assert client.scope == "read"
    assert client_with_key(key).get("/api/v1/activities/").status_code == 200


def test_bodies_and_expiry(body, other_body):
    _create("mod-system", "--scope", "write", "--body", body.code, "--body", other_body.code, "--expires-days", "30")
    client = ApiClient.objects.get(name="mod-system")
    assert set(client.bodies.values_list("code", flat=True)) == {body.code, other_body.code}
    assert client.expires_at is not None and client.can_write


def test_an_unknown_body_is_refused_and_nothing_is_created(db):
    with pytest.raises(CommandError, match="Unknown body code"):
        _create("x", "--scope", "write", "--body", "nowhere")
    assert not ApiClient.objects.exists()


def test_a_taken_name_is_refused(db):
    _create("dup")
    with pytest.raises(CommandError, match="already exists"):
        _create("dup")
