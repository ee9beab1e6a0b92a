"""A date's basis (the source, a planning assumption, or a decision) shown wherever the date is, and staff
confirming a date, which makes it their decision with who and when (issue 20)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests import factories
from tests.api.conftest import client_for_user, client_with_key
from tracker import services
from tracker.errors import InvalidInput, NotPermitted, StaleVersion
from tracker.models import Activity, ApiClient, DateBasis, Milestone, ProgressUpdate
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db

NOTE = "Planning assumption: the source names 2023 but no date; early autumn is assumed."
NOTE_RU = "Плановое допущение: источник называет 2023 год, но не дату; принята ранняя осень."


@pytest.fixture
def assumed(activity):
    Activity.objects.filter(pk=activity.pk).update(
        date_basis=DateBasis.ASSUMPTION, date_basis_note=NOTE, date_basis_note_ru=NOTE_RU,
        source_quote="will be planned and carried out in Belarus’ territory in 2023",
    )
    activity.refresh_from_db()
    return activity


@pytest.fixture
def milestone(assumed):
    return factories.MilestoneFactory(
        activity=assumed, title="Final planning conference", due_date=dt.date(2023, 7, 14),
        date_basis=DateBasis.ASSUMPTION, date_basis_note="Planning assumption: the usual planning cycle.",
    )


# --- The service -----------------------------------------------------------------------------------------

def test_confirming_dates_makes_them_the_editors_decision_logged_and_versioned(assumed, editor):
    version = assumed.version
    confirmed = services.activity_confirm_dates(actor=Actor.for_user(editor), activity=assumed,
                                                expected_version=version)
    confirmed.refresh_from_db()
    assert confirmed.date_basis == DateBasis.DECISION
    assert confirmed.date_confirmed_by == "editor" and confirmed.date_confirmed_at is not None
    assert confirmed.date_basis_note == NOTE  # the reason the date was first chosen stays on record
    assert confirmed.version == version + 1
    log = ProgressUpdate.objects.filter(activity=assumed).latest("created_at")
    assert (log.actor_name, log.event) == ("editor", "dates_confirmed")
    assert log.display_note == "Dates confirmed as a decision"
    assert confirmed.history.first().date_basis == DateBasis.DECISION


def test_confirming_again_changes_nothing(assumed, editor):
    services.activity_confirm_dates(actor=Actor.for_user(editor), activity=assumed)
    assumed.refresh_from_db()
    again = services.activity_confirm_dates(actor=Actor.for_user(editor), activity=assumed)
    assert again.version == assumed.version


@pytest.mark.parametrize("who", ["viewer", "outsider", "api_key", "system"])
def test_only_a_person_who_may_edit_the_activity_confirms_its_dates(assumed, viewer, outsider, who):
    actor = {
        "viewer": lambda: Actor.for_user(viewer),
        "outsider": lambda: Actor.for_user(outsider),
        "api_key": lambda: Actor.for_client(factories.make_api_client("planning", ApiClient.Scope.WRITE)[0]),
        "system": Actor.system,
    }[who]()
    with pytest.raises(NotPermitted):
        services.activity_confirm_dates(actor=actor, activity=assumed)
    assumed.refresh_from_db()
    assert assumed.date_basis == DateBasis.ASSUMPTION and not assumed.date_confirmed_by


def test_confirming_a_version_someone_changed_meanwhile_is_refused(assumed, editor):
    with pytest.raises(StaleVersion):
        services.activity_confirm_dates(actor=Actor.for_user(editor), activity=assumed,
                                        expected_version=assumed.version - 1 or 99)


def test_a_person_moving_an_assumed_date_makes_it_their_decision(assumed, coordinator):
    services.activity_update(actor=Actor.for_user(coordinator), activity=assumed,
                             changes={"due_date": dt.date(2023, 10, 15)})
    assumed.refresh_from_db()
    assert (assumed.date_basis, assumed.date_confirmed_by) == (DateBasis.DECISION, "coordinator")


def test_a_decision_cannot_be_typed_in_without_who_and_when(assumed, coordinator):
    with pytest.raises(InvalidInput) as refused:
        services.activity_update(actor=Actor.for_user(coordinator), activity=assumed,
                                 changes={"date_basis": DateBasis.DECISION})
    assert "date_basis" in refused.value.errors


def test_confirming_a_milestone_records_who_and_when(milestone, editor):
    services.milestone_confirm_date(actor=Actor.for_user(editor), milestone=milestone)
    milestone.refresh_from_db()
    assert (milestone.date_basis, milestone.date_confirmed_by) == (DateBasis.DECISION, "editor")
    assert ProgressUpdate.objects.filter(activity=milestone.activity, event="milestone_confirmed").exists()


# --- The web board ------------------------------------------------------------------------------------------

def test_the_activity_page_shows_the_basis_and_the_quote_and_staff_confirm(client, assumed, milestone, editor):
    client.force_login(editor)
    html = client.get(f"/activities/{assumed.pk}/").content.decode()
    assert "Planning assumption" in html and NOTE in html
    assert "Planning assumption: the usual planning cycle." in html  # the milestone's basis
    assert "carried out in Belarus’ territory in 2023" in html
    assert 'id="confirm-dates"' in html
    response = client.post(f"/activities/{assumed.pk}/confirm-dates/", {"expected_version": assumed.version})
    assert response.status_code == 302
    html = client.get(f"/activities/{assumed.pk}/").content.decode()
    assert "Confirmed decision: editor" in html and 'id="confirm-dates"' not in html
    response = client.post(f"/milestones/{milestone.pk}/confirm-date/", {"expected_version": assumed.version + 1})
    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).date_basis == DateBasis.DECISION


def test_a_viewer_sees_the_basis_but_may_not_confirm(client, assumed, viewer):
    client.force_login(viewer)
    html = client.get(f"/activities/{assumed.pk}/").content.decode()
    assert "Planning assumption" in html and 'id="confirm-dates"' not in html
    response = client.post(f"/activities/{assumed.pk}/confirm-dates/", {"expected_version": assumed.version})
    assert response.status_code == 403
    assert Activity.objects.get(pk=assumed.pk).date_basis == DateBasis.ASSUMPTION


def test_a_stale_confirmation_on_the_page_is_a_409_with_a_message(client, assumed, editor):
    client.force_login(editor)
    response = client.post(f"/activities/{assumed.pk}/confirm-dates/", {"expected_version": assumed.version + 5})
    assert response.status_code == 409
    assert "Someone else changed this activity" in response.content.decode()
    assert client.post(f"/activities/{assumed.pk}/confirm-dates/", {}).status_code == 400


def test_the_page_speaks_russian_basis(client, assumed, viewer):
    client.force_login(viewer)
    html = client.get(f"/activities/{assumed.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert NOTE_RU in html


def test_the_timeline_marks_assumed_dates(client, assumed, milestone, viewer):
    client.force_login(viewer)
    html = client.get("/timeline/?year=2023").content.decode()
    assert "timeline__bar--basis-assumption" in html
    assert f"Planning assumption. {NOTE}" in html
    assert "Planning assumption: the usual planning cycle." in html


def test_the_calendar_feed_and_the_csv_carry_the_basis(client, assumed, milestone, viewer):
    token = viewer.staff_profile.calendar_token
    feed = client.get(f"/calendar/feed/{token}.ics").content.decode()
    unfolded = feed.replace("\r\n ", "")
    assert "Planning assumption. Planning assumption: the source names 2023 but no date" in unfolded
    assert "Planning assumption: the usual planning cycle." in unfolded
    client.force_login(viewer)
    response = client.get("/reports/activities.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert (rows[0]["date_basis"], rows[0]["date_basis_note"]) == ("assumption", NOTE)


# --- The API ----------------------------------------------------------------------------------------------------

def test_the_api_shows_the_basis_and_staff_confirm_through_it(assumed, milestone, editor):
    api = client_for_user(editor)
    data = api.get(f"/api/v1/activities/{assumed.pk}/").json()
    assert (data["date_basis"], data["date_basis_note"], data["date_confirmed_by"]) == ("assumption", NOTE, "")
    assert data["source_quote"].startswith("will be planned")
    assert api.get("/api/v1/activities/").json()["results"][0]["date_basis"] == "assumption"
    response = api.post(f"/api/v1/activities/{assumed.pk}/confirm-dates/", {"note": "Agreed with the Joint Staff"},
                        format="json")
    assert response.status_code == 200
    assert (response.json()["date_basis"], response.json()["date_confirmed_by"]) == ("decision", "editor")
    assert response.json()["date_confirmed_at"]
    milestones = f"/api/v1/activities/{assumed.pk}/milestones/"
    assert api.get(milestones).json()[0]["date_basis"] == "assumption"
    response = api.post(f"{milestones}{milestone.pk}/confirm-date/", format="json")
    assert (response.status_code, response.json()["date_basis"]) == (200, "decision")


def test_an_api_key_may_not_confirm_and_may_not_type_a_decision(assumed):
    api = client_with_key(factories.make_api_client("planning-system", ApiClient.Scope.WRITE)[1])
    response = api.post(f"/api/v1/activities/{assumed.pk}/confirm-dates/", {}, format="json")
    assert response.status_code == 403
    response = api.patch(f"/api/v1/activities/{assumed.pk}/", {"date_basis": "decision"}, format="json")
    assert response.status_code == 400
    assert "date_basis" in response.content.decode()
    assert Activity.objects.get(pk=assumed.pk).date_basis == DateBasis.ASSUMPTION


def test_sending_back_a_decision_already_made_is_accepted(assumed, coordinator):
    services.activity_confirm_dates(actor=Actor.for_user(coordinator), activity=assumed)
    api = client_for_user(coordinator)
    current = api.get(f"/api/v1/activities/{assumed.pk}/").json()
    response = api.patch(f"/api/v1/activities/{assumed.pk}/", {"date_basis": "decision", "title": "Renamed"},
                         format="json")
    assert response.status_code == 200, response.content
    assert response.json()["date_confirmed_at"] == current["date_confirmed_at"]


def test_the_month_calendar_shows_each_dates_basis(client, assumed, milestone, viewer):
    client.force_login(viewer)
    html = client.get("/calendar/?month=2023-07").content.decode()
    entry = html[html.index("date-basis--assumption"):]
    assert "Planning assumption: the usual planning cycle." in entry[: entry.index("</li>")]


def test_the_admin_export_carries_the_basis(admin_client, assumed):
    from tests.test_admin import HEADERS
    from tracker.imports import ActivityResource

    columns = [*HEADERS, "date_basis", "date_basis_note", "date_confirmed_by"]
    assert set(columns) <= set(ActivityResource.Meta.fields)
    response = admin_client.post("/admin/tracker/activity/export/", {
        "format": "0", "resource": "0", **{f"activityresource_{f}": "on" for f in columns}})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0]["date_basis"], rows[0]["date_basis_note"]) == ("assumption", NOTE)


def test_the_admin_edits_the_basis_but_a_decision_only_comes_from_confirming(admin_client, assumed):
    from tests.test_admin import _change_form_data

    url = f"/admin/tracker/activity/{assumed.pk}/change/"
    assert "date_basis_note_ru" in admin_client.get(url).text
    response = admin_client.post(url, _change_form_data(assumed, date_basis="decision", date_basis_note=NOTE))
    assert response.status_code == 200
    assert "confirm" in str(response.context["adminform"].form.errors["date_basis"])
    response = admin_client.post(url, _change_form_data(
        assumed, date_basis="source", date_basis_note="“in 2023”", source_quote="in 2023"))
    assert response.status_code == 302
    assumed.refresh_from_db()
    assert (assumed.date_basis, assumed.date_basis_note, assumed.source_quote) == ("source", "“in 2023”", "in 2023")


def test_board_cards_mark_an_assumed_deadline(client, assumed, viewer):
    client.force_login(viewer)
    card = client.get("/board/").content.decode()
    card = card[card.index(f'id="card-{assumed.pk}"'):]
    card = card[: card.index("</article>")] if "</article>" in card else card[:3000]
    assert "(assumed)" in card and NOTE in card


def test_setting_a_confirmed_date_back_to_an_assumption_forgets_who_confirmed_it(assumed, coordinator):
    actor = Actor.for_user(coordinator)
    services.activity_confirm_dates(actor=actor, activity=assumed)
    assumed.refresh_from_db()
    services.activity_update(actor=actor, activity=assumed, changes={"date_basis": DateBasis.ASSUMPTION})
    assumed.refresh_from_db()
    assert (assumed.date_basis, assumed.date_confirmed_by, assumed.date_confirmed_at) == ("assumption", "", None)


def test_a_viewer_typing_a_decision_is_refused_as_not_permitted(assumed, viewer):
    with pytest.raises(NotPermitted):
        services.activity_update(actor=Actor.for_user(viewer), activity=assumed,
                                 changes={"date_basis": DateBasis.DECISION})
