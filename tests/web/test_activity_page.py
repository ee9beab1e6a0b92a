"""The activity page: facts, milestones as a checklist, the progress log, the field history, the quick
update form (errors next to the field, conflicts reported) and its cost."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.web.conftest import count_queries
from tracker import services
from tracker.models import Activity, ProgressUpdate
from tracker.permissions import Actor
from tracker.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def detailed(agenda):
    """The editor's activity with states, a location, milestones and a history of changes."""
    own = agenda["own"]
    by = factories.MemberStateFactory(code="BY", name="Belarus")
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    services.activity_update(
        actor=Actor.system(), activity=own,
        changes={"lead_state": by, "participating_states": [by, kz], "location": "Brest region",
                 "description": "Command-post exercise with live phase."},
        note="Details from the planning conference",
    )
    for n, title in enumerate(["Plan agreed", "Initial planning conference", "Active phase"], start=1):
        services.milestone_create(actor=Actor.system(), activity=own, title=title,
                                  due_date=dt.date(2023, 3 + 3 * n, 1), order=n)
    own.refresh_from_db()
    return own


def test_the_page_shows_description_dates_bodies_states_milestones_log_and_history(signed_in, viewer, detailed):
    html = signed_in(viewer).get(f"/activities/{detailed.pk}/").content.decode()
    assert "<h1>Joint exercises in Belarus</h1>" in html
    assert "Command-post exercise with live phase." in html
    assert "1 March 2023" in html and "30 September 2023" in html
    assert "Ministry of Defence of Belarus" in html and "Belarus, Kazakhstan" in html and "Brest region" in html
    for title in ["Plan agreed", "Initial planning conference", "Active phase"]:
        assert title in html
    assert "Details from the planning conference" in html  # the progress log
    assert "Field history" in html and "Brest region" in html
    assert re.search(r"<th scope=\"row\">Location</th><td>—</td><td>Brest region</td>", html)


def test_an_unknown_activity_is_not_found(signed_in, viewer, db):
    assert signed_in(viewer).get("/activities/999999/").status_code == 404


def test_the_quick_update_reports_status_progress_and_note(signed_in, editor, agenda):
    own = agenda["own"]
    client = signed_in(editor)
    response = client.post(
        f"/activities/{own.pk}/update/",
        {"status": "at_risk", "progress": 30, "note": "Host nation support delayed", "expected_version": 1},
    )
    assert response.status_code == 302 and response["Location"] == f"/activities/{own.pk}/"
    own.refresh_from_db()
    assert (own.status, own.progress, own.version) == (Status.AT_RISK, 30, 2)
    log = ProgressUpdate.objects.filter(activity=own).latest("id")
    assert (log.note, log.channel, log.actor_name) == ("Host nation support delayed", "web", "editor")
    page = client.get(response["Location"]).content.decode()
    assert "Update saved." in page and "Host nation support delayed" in page


def test_a_note_alone_is_a_report_too(signed_in, editor, agenda, htmx_headers):
    own = agenda["own"]
    response = signed_in(editor).post(
        f"/activities/{own.pk}/update/",
        {"status": "planned", "progress": 0, "note": "Waiting for the ministry's reply", "expected_version": 1},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="activity-main"')
    assert "Waiting for the ministry&#x27;s reply" in html and "Update saved." in html
    assert ProgressUpdate.objects.filter(activity=own, note="Waiting for the ministry's reply").exists()


def test_field_errors_appear_next_to_the_field_and_keep_what_was_typed(signed_in, editor, agenda):
    own = agenda["own"]
    response = signed_in(editor).post(
        f"/activities/{own.pk}/update/",
        {"status": "in_progress", "progress": 150, "note": "Typed with care", "expected_version": 1},
    )
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(r'<ul class="field__errors" id="id_progress_error"><li>([^<]+)</li>', html)
    assert errors and "less than or equal to 100" in errors.group(1)
    assert 'aria-invalid="true" aria-describedby="id_progress_error"' in html
    assert "Typed with care</textarea>" in html
    assert re.search(r'<option value="in_progress" selected>', html)
    assert Activity.objects.get(pk=own.pk).version == 1


def test_a_refusal_from_the_service_appears_next_to_its_field(signed_in, editor, agenda):
    own = agenda["own"]
    services.activity_transition(actor=Actor.system(), activity=own, status=Status.DONE)
    response = signed_in(editor).post(
        f"/activities/{own.pk}/update/", {"status": "done", "progress": 60, "note": "", "expected_version": 2}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_progress_error"><li>A done activity&#x27;s progress is 100', html)


def test_a_stale_quick_update_shows_a_conflict_and_keeps_the_note(signed_in, editor, agenda):
    own = agenda["own"]
    services.progress_report(actor=Actor.system(), activity=own, progress=20, note="Someone else's report")
    response = signed_in(editor).post(
        f"/activities/{own.pk}/update/",
        {"status": "at_risk", "progress": 10, "note": "My careful note", "expected_version": 1},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this activity meanwhile" in html
    assert "My careful note</textarea>" in html
    # The page now shows the current facts, and sending again (knowingly) is based on the current version.
    assert 'name="expected_version" value="2"' in html
    own.refresh_from_db()
    assert (own.progress, own.status) == (20, Status.IN_PROGRESS)


def test_progress_follows_the_milestones_and_the_field_says_so(signed_in, editor, detailed):
    html = signed_in(editor).get(f"/activities/{detailed.pk}/").content.decode()
    assert re.search(r'<input type="number" name="progress"[^>]*disabled', html)
    assert "Follows the milestones: tick them below." in html


def test_ticking_a_milestone_updates_the_checklist_and_the_progress(signed_in, editor, detailed, htmx_headers):
    milestone = detailed.milestones.get(order=1)
    response = signed_in(editor).post(
        f"/milestones/{milestone.pk}/toggle/", {"done": "on", "expected_version": detailed.version},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="milestone-{milestone.pk}" checked' in html
    assert "33% done" in html and "1/3" in html
    assert "Milestone “Plan agreed” ticked." in html
    detailed.refresh_from_db()
    assert (detailed.progress, detailed.status) == (33, Status.IN_PROGRESS)


def test_unticking_a_milestone_without_htmx_returns_to_the_page(signed_in, editor, detailed):
    milestone = detailed.milestones.get(order=2)
    services.milestone_toggle(actor=Actor.system(), milestone=milestone, done=True)
    detailed.refresh_from_db()
    response = signed_in(editor).post(f"/milestones/{milestone.pk}/toggle/", {"expected_version": detailed.version})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done is False


def test_ticking_a_milestone_on_a_stale_page_is_refused_with_a_conflict(signed_in, editor, detailed, htmx_headers):
    milestone = detailed.milestones.get(order=1)
    seen = detailed.version
    services.progress_report(actor=Actor.system(), activity=detailed, note="Meanwhile")
    response = signed_in(editor).post(
        f"/milestones/{milestone.pk}/toggle/", {"done": "on", "expected_version": seen}, headers=htmx_headers
    )
    assert response.status_code == 409
    assert "Someone else changed this activity meanwhile" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.done is False


def test_the_field_history_names_each_change(signed_in, viewer, agenda):
    own = agenda["own"]
    services.activity_transition(actor=Actor.system(), activity=own, status=Status.IN_PROGRESS, note="Kick-off")
    html = signed_in(viewer).get(f"/activities/{own.pk}/").content.decode()
    assert '<th scope="row">Status</th><td>Planned</td><td>In progress</td>' in html
    assert "System — Kick-off" in html  # the channel worded in the reader's language, not "system: system"


def test_the_page_costs_the_same_number_of_queries_however_long_its_history(signed_in, editor, detailed):
    client = signed_in(editor)
    few, response = count_queries(client, f"/activities/{detailed.pk}/")
    assert response.status_code == 200
    states = [factories.MemberStateFactory(code=code, name=code) for code in ("AM", "RU")]
    for n in range(30):
        services.progress_report(actor=Actor.system(), activity=detailed, note=f"Report {n}")
        services.activity_update(
            actor=Actor.system(), activity=detailed, changes={"location": f"Site {n}", "lead_state": states[n % 2]}
        )
    many, _ = count_queries(client, f"/activities/{detailed.pk}/")
    # The page's own 16, plus fixed sections: people (issue 13: contributors, watching, the discussion's thread
    # ids, the owner form's two menus), documents (one), the schedule (issue 17: links, forecast, baseline).
    assert few == many <= 26
