"""People on the web board: each role on the activity page's discussion, the inbox and its badge, saved
views, the owner filter; bad input answered next to the field; bounded query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tracker import services
from tracker.models import Channel, Comment, Notification, OutboxEvent, Role, SavedView
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_viewer_comments_with_a_mention_and_markup_is_shown_as_text(activity, viewer, editor):
    client = login(viewer)
    response = client.post(f"/activities/{activity.pk}/comments/",
                           {"body": "**Ready?** @editor <script>alert(1)</script> [x](javascript:alert(1))"})
    assert response.status_code == 302 and "#comment-" in response["Location"]
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "<strong>Ready?</strong>" in page
    assert '<span class="mention">@editor</span>' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert Comment.objects.get().mentions.get() == editor


def test_an_empty_comment_is_answered_next_to_the_field_and_nothing_is_stored(activity, viewer):
    response = login(viewer).post(f"/activities/{activity.pk}/comments/", {"body": "   "})
    assert response.status_code == 400
    assert "field__errors" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_on_a_missing_activity_is_404(viewer):
    assert login(viewer).post("/activities/999999/comments/", {"body": "hello"}).status_code == 404


def test_a_reply_to_a_comment_of_another_activity_is_refused(activity, priorities, body, viewer):
    other = factories.ActivityFactory(priority=priorities[0], responsible_body=body)
    comment = services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=other, body="elsewhere")
    response = login(viewer).post(f"/activities/{activity.pk}/comments/", {"body": "re", "parent": comment.pk})
    assert response.status_code == 400 and Comment.objects.count() == 1


def test_the_author_edits_and_the_earlier_text_is_viewable(activity, viewer, editor):
    comment = services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=activity, body="Frist")
    client = login(viewer)
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "First"}).status_code == 302
    history = client.get(f"/comments/{comment.pk}/history/").content.decode()
    assert "Frist" in history and "First" in history
    assert login(editor).post(f"/comments/{comment.pk}/edit/", {"body": "Mine"}).status_code == 403


def test_only_a_coordinator_hides_and_the_page_says_who_and_why(activity, viewer, editor, coordinator):
    comment = services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=activity, body="secret")
    assert login(editor).post(f"/comments/{comment.pk}/hide/", {"reason": "x"}).status_code == 403
    assert login(coordinator).post(f"/comments/{comment.pk}/hide/", {"reason": ""}).status_code == 400
    assert login(coordinator).post(f"/comments/{comment.pk}/hide/", {"reason": "Personal data"}).status_code == 302
    page = login(viewer).get(f"/activities/{activity.pk}/").content.decode()
    assert "Hidden by coordinator: Personal data" in page and "secret" not in page


def test_mention_autocompletion_offers_people_by_prefix(activity, viewer, editor):
    data = login(viewer).get(f"/activities/{activity.pk}/mentionable/?q=edi").json()
    assert [p["username"] for p in data["people"]] == ["editor"]


def test_watch_and_unwatch(activity, viewer):
    client = login(viewer)
    client.post(f"/activities/{activity.pk}/watch/", {"watch": "1"})
    assert activity.watchers.filter(pk=viewer.pk).exists()
    client.post(f"/activities/{activity.pk}/watch/", {"watch": "0"})
    assert not activity.watchers.filter(pk=viewer.pk).exists()


def test_an_editor_names_the_owner_and_a_viewer_cannot(activity, editor, viewer):
    form = {"owner": editor.pk, "contributors": [viewer.pk], "expected_version": activity.version}
    assert login(viewer).post(f"/activities/{activity.pk}/people/", form).status_code == 403
    assert login(editor).post(f"/activities/{activity.pk}/people/", form).status_code == 302
    activity.refresh_from_db()
    assert activity.owner == editor and list(activity.contributors.all()) == [viewer]
    page = login(viewer).get(f"/activities/{activity.pk}/").content.decode()
    assert 'data-testid="owner">editor<' in page


def test_naming_an_owner_who_cannot_edit_is_refused_next_to_the_field(activity, editor, outsider):
    form = {"owner": outsider.pk, "expected_version": activity.version}
    response = login(editor).post(f"/activities/{activity.pk}/people/", form)
    assert response.status_code == 400 and "cannot own it" in response.content.decode()
    activity.refresh_from_db()
    assert activity.owner is None


def test_the_board_filters_by_owner_and_my_activities(priorities, body, editor):
    mine = factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Mine", owner=editor)
    factories.ActivityFactory(priority=priorities[0], responsible_body=body, title="Not mine")
    client = login(editor)
    page = client.get("/board/?owner=me").content.decode()
    assert "Mine" in page and "Not mine" not in page and 'data-owner="editor"' in page
    page = client.get("/board/?owner=editor").content.decode()
    assert mine.title in page and "Not mine" not in page
    assert "My activities" in page


def test_the_inbox_lists_marks_read_unread_and_all(activity, viewer, editor, run_notifications):
    for n in range(3):
        services.comment_post(actor=Actor.for_user(viewer, Channel.WEB), activity=activity, body=f"@editor {n}")
    run_notifications()
    client = login(editor)
    badge = client.get("/inbox/badge/").content.decode()
    assert 'data-count="3"' in badge and "hx-trigger=\"every" in badge
    page = client.get("/inbox/").content.decode()
    assert page.count("mentioned you in a comment") == 3
    first = Notification.objects.filter(recipient=editor).first()
    client.post("/inbox/mark/", {"id": first.pk, "read": "1"})
    assert 'data-count="2"' in client.get("/inbox/badge/").content.decode()
    client.post("/inbox/mark/", {"id": first.pk, "read": "0"})
    client.post("/inbox/mark/", {"all": "1", "read": "1"})
    assert 'data-count="0"' in client.get("/inbox/badge/").content.decode()
    # Nonsense ids change nothing and answer no 500.
    assert client.post("/inbox/mark/", {"id": ["x", "99999999999999999999999"], "read": "0"}).status_code == 302


def test_preferences_page_saves_choices_and_refuses_unknown_ones(editor):
    client = login(editor)
    from tracker.models import NotificationKind

    form = dict.fromkeys(NotificationKind.values, "never")
    assert client.post("/inbox/preferences/", form).status_code == 302
    assert client.post("/inbox/preferences/", {**form, "mention": "hourly"}).status_code == 400
    assert "E-mail at once" in client.get("/inbox/preferences/").content.decode()


def test_saved_views_round_trip_and_shared_ones_appear_for_everyone(editor, viewer, priorities):
    client = login(editor)
    response = client.post("/views/save/", {"name": "Exercises this quarter", "query": "kind=exercise&junk=1",
                                            "shared": "on", "page": "timeline"})
    assert response.status_code == 302 and response["Location"] == "/timeline/?kind=exercise"
    view = SavedView.objects.get()
    assert view.query == "kind=exercise" and view.shared
    for path in ("/board/", "/timeline/", "/calendar/"):
        page = login(viewer).get(path).content.decode()
        assert "Exercises this quarter" in page, path
    assert login(viewer).post(f"/views/{view.pk}/delete/").status_code == 403
    assert SavedView.objects.exists()  # only its owner deletes it
    client.post(f"/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def _comments(activity, author, count):
    now = timezone.now()
    Comment.objects.bulk_create([
        Comment(activity=activity, author=author, body=f"Comment {n} @{author.username}", created_at=now)
        for n in range(count)
    ])
    top = list(Comment.objects.filter(activity=activity)[:5])
    Comment.objects.bulk_create([
        Comment(activity=activity, parent=c, author=author, body="reply", created_at=now) for c in top
    ])


@pytest.mark.parametrize("count", [10, 1000])
def test_the_activity_page_stays_bounded_with_1000_comments(activity, viewer, count, django_assert_max_num_queries):
    _comments(activity, viewer, count)
    client = login(viewer)
    client.get(f"/activities/{activity.pk}/")  # warm the session and the caches
    with django_assert_max_num_queries(60):
        response = client.get(f"/activities/{activity.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Discussion <span class=\"muted\">({count})" in page


def test_activity_page_queries_do_not_grow_with_comments(activity, viewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(viewer)
    counts = []
    for extra in (10, 990):
        _comments(activity, viewer, extra)
        client.get(f"/activities/{activity.pk}/")
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/activities/{activity.pk}/")
        counts.append(len(captured))
    assert counts[1] <= counts[0]  # 1,000 comments cost no more than 10 (the last page may hold no replies)


def test_inbox_queries_do_not_grow_with_notifications(activity, viewer, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(editor)
    counts = []
    for total in (10, 100):
        now = timezone.now()
        import uuid

        Notification.objects.bulk_create([
            Notification(recipient=editor, event_id=uuid.uuid4(), kind="comment", activity=activity,
                         activity_title="A", params={"by": "viewer"}, created_at=now)
            for _ in range(total - Notification.objects.count())
        ])
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/inbox/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] and counts[0] <= 10


def test_roles(viewer):
    assert viewer.staff_profile.role == Role.VIEWER and OutboxEvent.objects.count() == 0


def test_the_csv_export_and_the_admin_export_name_the_owner(activity, editor, coordinator):
    from tracker.imports import ActivityResource

    activity.owner = editor
    activity.save()
    client = login(coordinator)
    text = b"".join(client.get("/reports/activities.csv").streaming_content).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",")[-1] == "owner" and row.split(",")[-1] == "editor"
    exported = ActivityResource().export()
    assert exported.dict[0]["owner"] == "editor"
