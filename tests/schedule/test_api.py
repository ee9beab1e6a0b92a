"""The schedule's API: links CRUD with clear refusals (the cycle's path named), baselines, forecasts."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import client_for_user, client_with_key
from tracker import clock
from tracker.models import ApiClient, Baseline, Dependency, OutboxEvent

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def mid_presidency(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))


@pytest.fixture
def three(priorities, body):
    make = factories.ActivityFactory
    return [make(priority=priorities[1], responsible_body=body, title=f"Step {n}",
                 start_date=D(2023, n + 2, 1), due_date=D(2023, n + 2, 28)) for n in (1, 2, 3)]


@pytest.fixture
def api():
    key = factories.make_api_client("planning", ApiClient.Scope.WRITE)[1]
    return client_with_key(key)


def test_links_crud_and_the_cycle_named(api, three):
    a, b, c = three
    first = api.post("/api/v1/dependencies/", {"predecessor": a.pk, "successor": b.pk}, format="json")
    assert first.status_code == 201 and first.json()["kind"] == "fs"
    assert api.post("/api/v1/dependencies/", {"predecessor": b.pk, "successor": c.pk, "kind": "ff"},
                    format="json").status_code == 201
    refused = api.post("/api/v1/dependencies/", {"predecessor": c.pk, "successor": a.pk}, format="json")
    assert refused.status_code == 400
    message = str(refused.json())
    assert "cycle" in message and "“Step 3”" in message and "“Step 1”" in message and "predecessor" in message
    listed = api.get(f"/api/v1/dependencies/?activity={b.pk}").json()
    assert {row["id"] for row in listed["results"]} == set(Dependency.objects.values_list("id", flat=True))
    assert api.delete(f"/api/v1/dependencies/{first.json()['id']}/").status_code == 204
    assert Dependency.objects.count() == 1
    assert OutboxEvent.objects.filter(event_type="dependency.deleted").count() == 1


@pytest.mark.parametrize("payload, field", [
    ({"predecessor": "1", "successor": 2}, "predecessor"),
    ({"successor": 999999, "predecessor": 1}, "successor"),
    ({"predecessor": 1, "successor": 2, "kind": "ss"}, "kind"),
    ({"predecessor": 1, "successor": 2, "extra": 1}, "extra"),
])
def test_bad_link_input_names_the_field(api, three, payload, field):
    a, b, _c = three
    payload = {k: ({1: a.pk, 2: b.pk}.get(v, v) if k in ("predecessor", "successor") and isinstance(v, int) else v)
               for k, v in payload.items()}
    response = api.post("/api/v1/dependencies/", payload, format="json")
    assert response.status_code == 400 and field in str(response.json())
    assert Dependency.objects.count() == 0


def test_self_link_and_read_only_key(api, three):
    a, b, _c = three
    response = api.post("/api/v1/dependencies/", {"predecessor": a.pk, "successor": a.pk}, format="json")
    assert response.status_code == 400 and "itself" in str(response.json())
    reader = client_with_key(factories.make_api_client("reader", ApiClient.Scope.READ)[1])
    assert reader.post("/api/v1/dependencies/", {"predecessor": a.pk, "successor": b.pk},
                       format="json").status_code == 403


def test_baselines_only_coordinators_and_forecasts(api, three, coordinator, presidency):
    a, b, _c = three
    assert api.post("/api/v1/baselines/", {"presidency": presidency.pk, "reason": "x"},
                    format="json").status_code == 403  # an API key never approves a plan
    person = client_for_user(coordinator)
    assert person.post("/api/v1/baselines/", {"presidency": presidency.pk, "reason": ""},
                       format="json").status_code == 400
    made = person.post("/api/v1/baselines/", {"presidency": presidency.pk, "reason": "Approved"}, format="json")
    assert made.status_code == 201 and made.json()["number"] == 1
    assert Baseline.objects.count() == 1
    api.post("/api/v1/dependencies/", {"predecessor": a.pk, "successor": b.pk}, format="json")
    data = api.get(f"/api/v1/forecasts/?presidency={presidency.pk}").json()
    rows = {row["activity"]: row for row in data["activities"]}
    assert rows[a.pk]["forecast"] is None and rows[a.pk]["method"] == "no_data"
    assert rows[b.pk]["baseline_due_date"] == "2023-04-28" and rows[b.pk]["days_slipped"] == 0
    assert api.get("/api/v1/forecasts/?presidency=abc").status_code == 400
    assert api.get("/api/v1/forecasts/").status_code == 400


def test_forecasts_and_links_keep_their_query_count(api, priorities, body, presidency,
                                                    django_assert_max_num_queries):
    from tests.web.conftest import bulk_activities

    for size in (10, 100):
        acts = bulk_activities(priorities, [body], size)
        Dependency.objects.bulk_create([Dependency(predecessor=acts[i], successor=acts[i + 1])
                                        for i in range(size - 1)])
        with django_assert_max_num_queries(14):
            assert api.get(f"/api/v1/forecasts/?presidency={presidency.pk}").status_code == 200
        with django_assert_max_num_queries(12):
            assert api.get("/api/v1/dependencies/").status_code == 200
