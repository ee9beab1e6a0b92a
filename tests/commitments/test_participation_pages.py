"""The participation matrix (activities by states, filterable) and a member state's page."""

import datetime as dt

import pytest

from tests import factories
from tests.web.conftest import count_queries
from tracker import clock
from tracker.models import Activity, Participation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_year(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2023, 7, 1))


@pytest.fixture
def roles(priorities, body, activity):
    by = factories.MemberStateFactory(code="BY", name="Belarus")
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    dialogue = factories.ActivityFactory(priority=priorities[1], responsible_body=body, title="Dialogue round",
                                         kind=Activity.Kind.DIALOGUE, due_date=dt.date(2023, 3, 1))
    Participation.objects.create(activity=activity, memberstate=by, role="host", level="minister", confirmed=True)
    Participation.objects.create(activity=activity, memberstate=kz, role="declined", note="Scheduling")
    Participation.objects.create(activity=dialogue, memberstate=kz, role="observer", level="expert")
    return {"by": by, "kz": kz, "dialogue": dialogue}


def test_the_matrix_shows_each_states_role_and_filters_by_kind(signed_in, viewer, roles, activity):
    client = signed_in(viewer)
    html = client.get("/participation/").content.decode()
    assert 'data-role="host"' in html and 'data-role="declined"' in html and 'data-role="observer"' in html
    html = client.get("/participation/?kind=dialogue").content.decode()
    table = html[html.index('data-testid="matrix"'):]
    assert "Dialogue round" in table and activity.title not in table
    assert 'data-role="host"' not in table


def test_a_bad_filter_is_answered_400_with_the_fields_message(signed_in, viewer, roles):
    response = signed_in(viewer).get("/participation/?priority=999999")
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


def test_the_matrix_costs_the_same_queries_for_more_rows(signed_in, viewer, roles, priorities, body):
    client = signed_in(viewer)
    few, _ = count_queries(client, "/participation/")
    for n in range(8):
        extra = factories.ActivityFactory(priority=priorities[n % 4], responsible_body=body)
        Participation.objects.create(activity=extra, memberstate=roles["by"], role="participant")
    many, _ = count_queries(client, "/participation/")
    assert many <= few


def test_a_states_page_lists_its_roles_its_declined_invitations_and_whats_next(signed_in, viewer, roles, activity):
    html = signed_in(viewer).get("/states/kz/").content.decode()
    declined = html[html.index('data-testid="state-declined"'):]
    assert activity.title in declined[: declined.index("</section>")] and "Scheduling" in declined
    roles_section = html[html.index('data-testid="state-roles"'): html.index('data-testid="state-declined"')]
    assert "Dialogue round" in roles_section and activity.title not in roles_section
    upcoming = html[html.index('data-testid="state-upcoming"'): html.index('data-testid="state-roles"')]
    assert "Dialogue round" not in upcoming  # its date has passed
    html = signed_in(viewer).get("/states/BY/").content.decode()
    upcoming = html[html.index('data-testid="state-upcoming"'): html.index('data-testid="state-roles"')]
    assert activity.title in upcoming and "Minister" in upcoming


def test_the_activity_page_shows_the_commitments_it_serves_and_who_takes_part(signed_in, viewer, roles, activity):
    commitment = factories.CommitmentFactory(priority=activity.priority, statement="Exercises in Belarus")
    commitment.activities.add(activity)
    html = signed_in(viewer).get(f"/activities/{activity.pk}/").content.decode()
    panel = html[html.index('data-testid="activity-commitments"'):]
    assert f'href="/commitments/{commitment.pk}/"' in panel and "Exercises in Belarus" in panel
    assert "Belarus</a> — Host, Minister, confirmed" in panel and "Kazakhstan</a> — Declined" in panel
