"""Who may see and do what on the web board: every page for every role, and refusals of writes."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.models import Activity, ProgressUpdate
from tracker.workflow import Status

pytestmark = pytest.mark.django_db

PAGES = [
    "/", "/board/", "/timeline/", "/calendar/", "/reports/", "/reports/year/", "/reports/activities.csv",
    "/activities/{own}/",
]


def _url(template: str, agenda) -> str:
    return template.format(own=agenda["own"].pk)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, agenda, page):
    url = _url(page, agenda)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_and_health_are_public(client, db):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/health/").status_code == 200


def test_logging_in_leads_to_the_page_asked_for(client, agenda, coordinator):
    response = client.post(
        "/accounts/login/?next=/board/",
        {"username": "coordinator", "password": "pass-for-tests-2023", "next": "/board/"},
    )
    assert response.status_code == 302 and response["Location"] == "/board/"


def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_username(client, coordinator):
    response = client.post("/accounts/login/", {"username": "coordinator", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="coordinator"' in response.content


@pytest.mark.parametrize("role", ["viewer", "editor", "outsider", "coordinator"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_for_every_role(request, signed_in, agenda, role, page):
    user = request.getfixturevalue(role)
    response = signed_in(user).get(_url(page, agenda))
    assert response.status_code == 200


def test_an_htmx_request_after_the_session_expired_sends_the_whole_page_to_login(client, agenda, htmx_headers):
    response = client.post(f"/activities/{agenda['own'].pk}/move/", {"status": "in_progress"}, headers=htmx_headers)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_viewer_sees_no_edit_controls(signed_in, viewer, agenda):
    client = signed_in(viewer)
    board = client.get("/board/").content.decode()
    assert "Joint exercises in Belarus" in board
    assert 'draggable="true"' not in board and "card__move" not in board
    page = client.get(f"/activities/{agenda['own'].pk}/").content.decode()
    assert "Quick update" not in page
    assert 'type="checkbox"' not in page
    assert "You can read this activity" in page


def test_editor_sees_edit_controls_only_on_their_bodys_activities(signed_in, editor, agenda):
    board = signed_in(editor).get("/board/?all=1").content.decode()
    own_card = board[board.index(f'id="card-{agenda["own"].pk}"'):]
    own_card = own_card[: own_card.index("</article>")]
    foreign_card = board[board.index(f'id="card-{agenda["foreign"].pk}"'):]
    foreign_card = foreign_card[: foreign_card.index("</article>")]
    assert "card__move" in own_card and 'draggable="true"' in board
    assert "card__move" not in foreign_card
    page = signed_in(editor).get(f"/activities/{agenda['foreign'].pk}/").content.decode()
    assert "Quick update" not in page


def _writes(agenda, milestone):
    own = agenda["own"]
    return [
        (f"/activities/{own.pk}/move/", {"status": "in_progress", "expected_version": own.version}),
        (f"/activities/{own.pk}/update/", {"status": "in_progress", "progress": 10, "note": "x",
                                           "expected_version": own.version}),
        (f"/milestones/{milestone.pk}/toggle/", {"done": "on", "expected_version": own.version}),
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_viewer_is_refused_on_every_write(signed_in, viewer, agenda, htmx, htmx_headers):
    milestone = factories.MilestoneFactory(activity=agenda["own"], order=1)
    client = signed_in(viewer)
    for url, data in _writes(agenda, milestone):
        response = client.post(url, data, headers=htmx_headers if htmx else {})
        assert response.status_code == 403, url
        assert "read-only access" in response.content.decode()
    own = Activity.objects.get(pk=agenda["own"].pk)
    assert (own.status, own.version) == (Status.PLANNED, 1)
    assert not ProgressUpdate.objects.filter(activity=own).exists()


def test_editor_of_another_body_is_refused(signed_in, outsider, agenda):
    milestone = factories.MilestoneFactory(activity=agenda["own"], order=1)
    client = signed_in(outsider)
    for url, data in _writes(agenda, milestone):
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "another body is responsible" in response.content.decode()
    assert Activity.objects.get(pk=agenda["own"].pk).version == 1


def test_writes_need_post(signed_in, coordinator, agenda):
    response = signed_in(coordinator).get(f"/activities/{agenda['own'].pk}/move/")
    assert response.status_code == 405


def test_coordinator_may_change_any_bodys_activity(signed_in, coordinator, agenda):
    foreign = agenda["foreign"]
    response = signed_in(coordinator).post(
        f"/activities/{foreign.pk}/move/", {"status": "at_risk", "expected_version": foreign.version}
    )
    assert response.status_code == 302
    assert Activity.objects.get(pk=foreign.pk).status == Status.AT_RISK


def test_editor_may_change_their_own_bodys_activity(signed_in, editor, agenda):
    own = agenda["own"]
    response = signed_in(editor).post(f"/activities/{own.pk}/move/", {"status": "in_progress", "expected_version": 1})
    assert response.status_code == 302
    log = ProgressUpdate.objects.get(activity=own)
    assert (log.new_status, log.channel, log.actor_name) == ("in_progress", "web", "editor")


def test_the_demo_login_page_names_the_demo_accounts_only_in_development(client, db, settings):
    settings.DEBUG = True
    page = client.get("/accounts/login/").content.decode()
    assert "Demo accounts" in page
    assert "<code>editor</code></td><td><code>editor-demo-2023</code>" in page
    settings.DEBUG = False
    page = client.get("/accounts/login/").content.decode()
    assert "Demo accounts" not in page and "editor-demo-2023" not in page
