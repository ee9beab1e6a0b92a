"""The inbox and its badge with 1,000 notifications of 1,000 comments: a fixed number of queries."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from tracker.models import Comment, Notification

pytestmark = pytest.mark.django_db


def test_the_inbox_and_its_badge_stay_bounded_with_1000_notifications_of_comments(
        activity, viewer, editor, django_assert_max_num_queries):
    now = timezone.now()
    comments = Comment.objects.bulk_create([
        Comment(activity=activity, activity_title=activity.title, author=viewer, body=f"@editor point {n}",
                created_at=now) for n in range(1000)])
    Notification.objects.bulk_create([
        Notification(recipient=editor, event_id=uuid.uuid4(), kind="mention", activity=activity, comment=comment,
                     activity_title=activity.title, params={"by": "viewer"}, created_at=now)
        for comment in comments])
    client = Client()
    client.force_login(editor)
    client.get("/inbox/")  # warm the session
    with django_assert_max_num_queries(10):
        page = client.get("/inbox/")
    assert page.status_code == 200 and page.content.decode().count('class="inbox__item') >= 50
    with django_assert_max_num_queries(4):
        badge = client.get("/inbox/badge/")
    assert 'data-count="1000"' in badge.content.decode()
    with django_assert_max_num_queries(10):
        assert client.get("/inbox/?unread=1&page=20").status_code == 200
