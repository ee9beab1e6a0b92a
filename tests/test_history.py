"""One history for every door: the activity page and the API show the same changes of the same fields."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import client_for_user
from tracker import selectors, services
from tracker.models import Activity, DateBasis
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


def test_the_page_and_the_api_show_the_same_fields_changed(activity, coordinator, other_body):
    actor = Actor.for_user(coordinator)
    state = factories.MemberStateFactory(code="AM")
    services.activity_update(actor=actor, activity=activity, changes={
        "location": "Minsk", "participating_states": [state], "responsible_body": other_body,
        "date_basis": DateBasis.ASSUMPTION,
    })
    services.activity_transition(actor=actor, activity=activity, status="in_progress")
    services.activity_transition(actor=actor, activity=activity, status="done")  # fills completed_date
    services.activity_update(actor=actor, activity=activity, changes={"due_date": dt.date(2023, 9, 30)})

    page = [sorted(c.field for c in entry.changes) for entry in selectors.activity_history(activity)
            if entry.kind == "~"]
    response = client_for_user(coordinator).get(f"/api/v1/activities/{activity.pk}/history/")
    api = [sorted(c["field"] for c in entry["changes"]) for entry in response.json()["results"]
           if entry["type"] == "changed"]
    assert page == api
    shown = {name for fields in page for name in fields}
    assert {"completed_date", "participating_states", "responsible_body", "date_basis", "location"} <= shown


def test_a_change_that_shows_nothing_is_left_out_of_both(activity, coordinator):
    services.progress_report(actor=Actor.for_user(coordinator), activity=activity, note="Met today")
    assert [e.kind for e in selectors.activity_history(activity)] == ["+"]
    api = client_for_user(coordinator).get(f"/api/v1/activities/{activity.pk}/history/").json()["results"]
    assert [e["type"] for e in api] == ["created"]
    assert Activity.history.filter(id=activity.pk).count() == 2
