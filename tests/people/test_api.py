"""The discussion and the owner in the API: read with a read key, post with a write key as the system."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import client_for_user, client_with_key  # noqa: F401 - the API's own helpers
from tracker import services
from tracker.models import Channel, Comment
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def read_api(db):
    return client_with_key(factories.make_api_client("reader", scope="read")[1])


@pytest.fixture
def write_api(db):
    return client_with_key(factories.make_api_client("portal")[1])


def test_a_read_key_reads_comments_and_cannot_post(activity, viewer, read_api):
    services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=activity, body="**Hi** <b>x</b>")
    response = read_api.get(f"/api/v1/activities/{activity.pk}/comments/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["author"] == "viewer" and row["body"] == "**Hi** <b>x</b>"
    assert "<strong>Hi</strong>" in row["html"] and "<b>" not in row["html"]
    refused = read_api.post(f"/api/v1/activities/{activity.pk}/comments/", {"body": "no"}, format="json")
    assert refused.status_code == 403 and Comment.objects.count() == 1


def test_a_write_key_posts_as_the_system(activity, write_api):
    response = write_api.post(f"/api/v1/activities/{activity.pk}/comments/", {"body": "Synced"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["author"] is None and response.json()["posted_by_system"] is True
    assert Comment.objects.get().api_client.name == "portal"


@pytest.mark.parametrize("payload", [{"body": ""}, {"body": 5}, {"body": "x", "parent": "1"}, {"text": "x"}, {}])
def test_bad_comment_input_is_a_4xx_naming_the_field(activity, write_api, payload):
    response = write_api.post(f"/api/v1/activities/{activity.pk}/comments/", payload, format="json")
    assert response.status_code == 400, response.content
    assert not Comment.objects.exists()


def test_comments_on_a_missing_activity_are_404(write_api):
    assert write_api.get("/api/v1/activities/999999/comments/").status_code == 404
    assert write_api.post("/api/v1/activities/999999/comments/", {"body": "x"}, format="json").status_code == 404


def test_comment_list_is_paginated_in_a_bounded_number_of_queries(activity, viewer, read_api,
                                                                   django_assert_max_num_queries):
    from django.utils import timezone

    Comment.objects.bulk_create([Comment(activity=activity, author=viewer, body=f"c{n}", created_at=timezone.now())
                                 for n in range(120)])
    with django_assert_max_num_queries(12):
        response = read_api.get(f"/api/v1/activities/{activity.pk}/comments/")
    assert response.status_code == 200 and len(response.json()["results"]) == 50


def test_the_owner_is_read_and_written_through_the_api(activity, editor, outsider, write_api):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"owner": editor.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == editor.pk
    assert write_api.get(f"/api/v1/activities/?owner={editor.pk}&count=true").json()["count"] == 1
    assert write_api.get("/api/v1/activities/?owner=editor&count=true").json()["count"] == 1
    assert write_api.get("/api/v1/activities/?owner=me").json()["results"] == []  # a key is nobody's "me"
    refused = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"owner": outsider.pk}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()["errors"], refused.content
    assert write_api.patch(f"/api/v1/activities/{activity.pk}/", {"owner": "editor"},
                           format="json").status_code == 400
