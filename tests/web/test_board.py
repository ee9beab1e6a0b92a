"""The board: lanes and columns, filters in the URL, card moves (allowed, refused, stale), and its cost."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.web.conftest import bulk_activities, count_queries
from tracker import services
from tracker.models import Activity, ProgressUpdate
from tracker.permissions import Actor
from tracker.web.views.board import CELL_LIMIT
from tracker.workflow import Status

pytestmark = pytest.mark.django_db


def _card_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'id="card-(\d+)"', html)}


def _column(html: str, priority_id: int, status: str) -> str:
    """The HTML of one column of one lane."""
    start = html.index(f'id="col-{priority_id}-{status}"')
    end = html.find('<div class="column', start)
    return html[start: end if end != -1 else len(html)]


def test_board_has_a_lane_per_priority_and_a_column_per_status(signed_in, coordinator, agenda, priorities):
    html = signed_in(coordinator).get("/board/").content.decode()
    for priority in priorities:
        assert f'id="lane-{priority.pk}"' in html
        for status in Status.values:
            assert f'id="col-{priority.pk}-{status}"' in html
    assert f'id="card-{agenda["own"].pk}"' in _column(html, priorities[2].pk, "planned")
    assert f'id="card-{agenda["finished"].pk}"' in _column(html, priorities[0].pk, "done")


def test_a_card_shows_due_date_body_lead_state_and_progress_and_says_overdue_in_words(
    signed_in, coordinator, priorities, body
):
    lead = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    activity = factories.ActivityFactory(
        priority=priorities[0], responsible_body=body, lead_state=lead, progress=40, due_date=dt.date(2023, 6, 30),
        status=Status.IN_PROGRESS,
    )
    html = signed_in(coordinator).get("/board/").content.decode()
    card = html[html.index(f'id="card-{activity.pk}"'):]
    card = card[: card.index("</article>")]
    assert "30 Jun 2023" in card
    assert "Ministry of Defence of Belarus" in card and "Kazakhstan" in card
    assert "40% done" in card
    # The deadline passed (the real today is after 2023): said in words with an icon, not by colour alone.
    assert "⚠</span> Overdue" in card


def test_filters_live_in_the_url_so_a_filtered_board_can_be_bookmarked(signed_in, coordinator, agenda, priorities):
    client = signed_in(coordinator)
    url = f"/board/?priority={priorities[2].pk}&status=planned&search=exercises"
    html = client.get(url).content.decode()
    assert _card_ids(html) == {agenda["own"].pk}
    # The controls show the filters that are on, and the export and timeline links carry them along.
    assert re.search(rf'value="{priorities[2].pk}"[^>]*checked', html)
    assert 'value="exercises"' in html
    assert f'/reports/activities.csv?priority={priorities[2].pk}&amp;status=planned&amp;search=exercises' in html
    assert "1 activity shown" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=dialogue", {"foreign"}),
        ("body={other_body}", {"foreign", "finished"}),
        ("status=done", {"finished"}),
        ("overdue=true", {"own", "foreign"}),
        ("overdue=false", {"finished"}),
        ("search=Диалог", {"foreign"}),  # Russian titles are searched too
        ("state=KZ", {"own"}),
    ],
)
def test_each_filter_narrows_the_board(signed_in, coordinator, agenda, other_body, query, expected):
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    agenda["own"].participating_states.add(kz)
    query = query.format(other_body=other_body.pk).replace("state=KZ", f"state={kz.pk}")
    html = signed_in(coordinator).get(f"/board/?{query}").content.decode()
    assert _card_ids(html) == {agenda[name].pk for name in expected}


def test_an_unknown_filter_value_is_reported_next_to_the_filter(signed_in, coordinator, agenda):
    html = signed_in(coordinator).get("/board/?priority=999999").content.decode()
    assert "Select a valid choice. 999999 is not one of the available choices." in html


def test_a_full_column_shows_its_true_count_and_links_to_the_rest(signed_in, coordinator, priorities, body):
    extra = 7
    bulk_activities([priorities[0]], [body], CELL_LIMIT + extra, statuses=[Status.PLANNED])
    client = signed_in(coordinator)
    html = client.get("/board/?kind=meeting").content.decode()
    column = _column(html, priorities[0].pk, "planned")
    assert len(_card_ids(column)) == CELL_LIMIT
    assert f'<span class="sr-only">(</span>{CELL_LIMIT + extra}<span class="sr-only">)</span>' in column
    assert f"Show {extra} more" in column
    link = re.search(r'class="column__more" href="([^"]+)"', column).group(1).replace("&amp;", "&")
    assert "kind=meeting" in link and "full=1" in link
    assert len(_card_ids(client.get(link).content.decode())) == CELL_LIMIT + extra


def test_moving_a_card_by_a_plain_form_post_returns_to_the_filtered_board(signed_in, coordinator, agenda):
    own = agenda["own"]
    response = signed_in(coordinator).post(
        f"/activities/{own.pk}/move/", {"status": "in_progress", "expected_version": 1, "filters": "kind=exercise"}
    )
    assert response.status_code == 302 and response["Location"] == "/board/?kind=exercise"
    own.refresh_from_db()
    assert (own.status, own.version) == (Status.IN_PROGRESS, 2)
    assert ProgressUpdate.objects.get(activity=own, new_status="in_progress").channel == "web"


def test_moving_a_card_with_htmx_redraws_its_lane_with_the_card_in_the_new_column(
    signed_in, coordinator, agenda, priorities, htmx_headers
):
    own = agenda["own"]
    response = signed_in(coordinator).post(
        f"/activities/{own.pk}/move/", {"status": "at_risk", "expected_version": 1}, headers=htmx_headers
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="lane" id="lane-{priorities[2].pk}"')
    assert f'id="card-{own.pk}"' in _column(html, priorities[2].pk, "at_risk")
    assert 'data-version="2"' in html
    assert 'hx-swap-oob="true"' in html and "moved to at risk" in html


def test_a_refused_move_shows_the_workflows_message_and_the_card_stays_in_its_column(
    signed_in, coordinator, agenda, priorities, htmx_headers
):
    own = agenda["own"]
    services.activity_transition(actor=Actor.system(), activity=own, status=Status.BLOCKED)
    response = signed_in(coordinator).post(
        f"/activities/{own.pk}/move/", {"status": "done", "expected_version": 2}, headers=htmx_headers
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "A blocked activity cannot be marked done; move it back to in progress first." in html
    assert 'role="alert"' in html
    assert f'id="card-{own.pk}"' in _column(html, priorities[2].pk, "blocked")
    own.refresh_from_db()
    assert (own.status, own.version) == (Status.BLOCKED, 2)


def test_a_refused_move_is_explained_on_the_card_with_the_moves_allowed_from_there(
    signed_in, coordinator, agenda, priorities, htmx_headers
):
    own = agenda["own"]
    services.activity_transition(actor=Actor.system(), activity=own, status=Status.AT_RISK)
    response = signed_in(coordinator).post(
        f"/activities/{own.pk}/move/", {"status": "planned", "expected_version": 2}, headers=htmx_headers
    )
    assert response.status_code == 409
    html = response.content.decode()
    card = html[html.index(f'id="card-{own.pk}"'):]
    card = card[: card.index("</article>")]
    assert "cannot move to planned. From at risk it can move to: in progress, blocked, done, cancelled." in card
    toasts = html[html.index('id="messages"'):]
    assert "cannot move to planned" not in toasts  # not in a corner toast, away from the card


def test_a_card_changed_by_someone_else_meanwhile_shows_a_conflict_not_an_overwrite(
    signed_in, editor, agenda, priorities, htmx_headers
):
    own = agenda["own"]
    # Someone else starts the activity after the editor's board was drawn with version 1.
    services.activity_transition(actor=Actor.system(), activity=own, status=Status.IN_PROGRESS)
    response = signed_in(editor).post(
        f"/activities/{own.pk}/move/", {"status": "at_risk", "expected_version": 1}, headers=htmx_headers
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this activity meanwhile" in html
    # The lane is drawn from the database: the card shows where it really is now, with the current version.
    assert f'id="card-{own.pk}"' in _column(html, priorities[2].pk, "in_progress")
    assert 'data-version="2"' in html
    own.refresh_from_db()
    assert own.status == Status.IN_PROGRESS


def test_a_refused_move_without_htmx_comes_back_to_the_board_with_the_message(signed_in, coordinator, agenda):
    own = agenda["finished"]
    client = signed_in(coordinator)
    response = client.post(f"/activities/{own.pk}/move/", {"status": "cancelled", "expected_version": 1}, follow=True)
    assert "A done activity cannot be cancelled; reopen it first." in response.content.decode()


def test_a_move_keeps_the_boards_filters_when_the_lane_is_redrawn(
    signed_in, coordinator, agenda, priorities, body, htmx_headers
):
    other = factories.ActivityFactory(priority=priorities[2], responsible_body=body, title="Something else",
                                      kind=Activity.Kind.OTHER)
    own = agenda["own"]
    response = signed_in(coordinator).post(
        f"/activities/{own.pk}/move/", {"status": "in_progress", "expected_version": 1, "filters": "kind=exercise"},
        headers=htmx_headers,
    )
    html = response.content.decode()
    assert f'id="card-{own.pk}"' in html and f'id="card-{other.pk}"' not in html


def test_the_move_menu_offers_only_the_statuses_the_workflow_allows(signed_in, coordinator, agenda):
    html = signed_in(coordinator).get("/board/").content.decode()
    finished = html[html.index(f'id="card-{agenda["finished"].pk}"'):]
    finished = finished[: finished.index("</article>")]
    assert 'data-targets="in_progress"' in finished
    planned = html[html.index(f'id="card-{agenda["own"].pk}"'):]
    assert 'data-targets="in_progress at_risk blocked done cancelled"' in planned[: planned.index("</article>")]


def test_the_board_costs_the_same_number_of_queries_for_a_few_or_many_activities(
    signed_in, coordinator, priorities, body, other_body
):
    client = signed_in(coordinator)
    bulk_activities(priorities, [body, other_body], 12)
    few, response = count_queries(client, "/board/?overdue=true&search=Bulk")
    assert response.status_code == 200
    bulk_activities(priorities, [body, other_body], 400, prefix="More")
    many, response = count_queries(client, "/board/?overdue=true&search=Bulk")
    # 14: the board's 12, plus the owner filter's menu and the saved views menu (issue 13).
    assert few == many <= 14


def test_the_board_with_2000_activities_draws_only_the_first_cards_of_each_column(
    signed_in, coordinator, priorities, body, other_body, django_assert_max_num_queries
):
    bulk_activities(priorities, [body, other_body], 2000)
    client = signed_in(coordinator)
    with django_assert_max_num_queries(14):  # + the owner filter's menu and the saved views (issue 13)
        html = client.get("/board/").content.decode()
    assert len(_card_ids(html)) == len(priorities) * len(Status.values) * CELL_LIMIT
    assert "2000 activities shown" in html
    counts = [int(n) for n in re.findall(r'<span class="sr-only">\(</span>(\d+)<span class="sr-only">\)</span>', html)]
    assert len(counts) == len(priorities) * len(Status.values) and sum(counts) == 2000


def test_filtering_by_priority_shows_only_that_priorities_lanes(signed_in, coordinator, agenda, priorities):
    chosen = sorted({agenda["own"].priority_id, agenda["foreign"].priority_id})
    url = "/board/?" + "&".join(f"priority={pk}" for pk in chosen)
    html = signed_in(coordinator).get(url).content.decode()
    assert [int(n) for n in re.findall(r'<section class="lane" id="lane-(\d+)"', html)] == chosen


def _lane_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<section class="lane" id="lane-(\d+)"', html)]


def test_a_filtered_board_hides_lanes_without_matches(signed_in, coordinator, agenda, priorities):
    client = signed_in(coordinator)
    assert len(_lane_ids(client.get("/board/").content.decode())) == len(priorities)  # unfiltered: every lane
    html = client.get(f"/board/?search={agenda['own'].title}").content.decode()
    assert _lane_ids(html) == [agenda["own"].priority_id]
    html = client.get("/board/?search=no-such-activity-anywhere").content.decode()
    assert _lane_ids(html) == [] and "No activity matches these filters." in html


def test_an_editor_opens_the_board_on_their_bodys_work_and_can_see_everything(signed_in, editor, agenda):
    client = signed_in(editor)
    own, foreign = agenda["own"], agenda["foreign"]
    assert own.responsible_body_id != foreign.responsible_body_id
    html = client.get("/board/").content.decode()
    assert f'id="card-{own.pk}"' in html and f'id="card-{foreign.pk}"' not in html
    assert own.responsible_body.display_name in html and 'href="/board/?all=1"' in html
    everything = client.get("/board/?all=1").content.decode()
    assert f'id="card-{own.pk}"' in everything and f'id="card-{foreign.pk}"' in everything
    assert 'id="board-scope"' not in everything
    # The filter bar keeps "every body" when the editor filters, even after unticking their own body.
    assert '<input type="hidden" name="all" value="1">' in html


def test_coordinators_and_viewers_open_the_whole_board(signed_in, coordinator, viewer, agenda):
    for user in (coordinator, viewer):
        html = signed_in(user).get("/board/").content.decode()
        assert f'id="card-{agenda["foreign"].pk}"' in html and 'id="board-scope"' not in html
