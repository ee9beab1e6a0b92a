"""Issue 18: the API list read without building the FilterSet's form (tracker/api/list_params.py) answers
exactly what the FilterSet path answers, for every filter, order and cursor page, and leaves to that path
everything it is not sure of, so refusals keep their 400 and message. Its statement is compiled once per
filter shape: a new value is one statement, and a related id is checked against the ids it knows."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from tests import factories
from tracker.api import list_params
from tracker.models import Activity, Priority
from tracker.workflow import Status

pytestmark = pytest.mark.django_db

KINDS = [kind for kind, _label in Activity.Kind.choices]
STATUSES = [Status.PLANNED, Status.IN_PROGRESS, Status.AT_RISK, Status.DONE, Status.CANCELLED]


@pytest.fixture
def agenda(priorities, body, other_body):
    """Thirty activities spread over every filter: two presidencies, four priorities, two bodies, three
    states (lead and participating), two owners, five statuses, the kinds, deadlines and update times."""
    states = [factories.MemberStateFactory(code=code) for code in ("AM", "KZ", "RU")]
    owners = [factories.UserFactory(username=name) for name in ("anna", "boris")]
    later = factories.PresidencyFactory(code="csto-2024-test", period_start=dt.date(2024, 1, 1),
                                        period_end=dt.date(2024, 12, 31))
    other_priority = factories.PriorityFactory(presidency=later, number=1)
    made = []
    for n in range(30):
        activity = factories.ActivityFactory(
            priority=other_priority if n % 7 == 0 else priorities[n % 4],
            responsible_body=body if n % 3 else other_body,
            status=STATUSES[n % len(STATUSES)], kind=KINDS[n % len(KINDS)],
            title=f"Item {(n * 11) % 30:02d}", start_date=dt.date(2023, 1, 1),
            due_date=dt.date(2023, 1 + n % 12, 1 + n % 5),
            lead_state=states[n % 3] if n % 2 else None, owner=owners[n % 2] if n % 5 else None,
        )
        activity.participating_states.set(states[: n % 4])
        made.append(activity)
    for n, activity in enumerate(made):  # update times out of step with the deadlines
        Activity.objects.filter(pk=activity.pk).update(
            updated_at=timezone.now() - dt.timedelta(hours=(n * 7) % 30))
    return {"states": states, "owners": owners, "later": later, "other_priority": other_priority}


@pytest.fixture
def served(monkeypatch, settings):
    """Counts the requests the new path answered; the repeated-first-page statement cache is off, so every
    request goes through it or through the FilterSet."""
    settings.API_STATEMENT_CACHE_SECONDS = 0
    calls = {"fast": 0}
    original = list_params.page_rows

    def spy(request, paginator, keep=None):
        found = original(request, paginator, keep)
        calls["fast"] += found is not None
        return found

    monkeypatch.setattr(list_params, "page_rows", spy)
    return calls


def _filterset_answer(api, url, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(list_params, "page_rows", lambda *args: None)
        return api.get(url)


def _walk_both(api, url, monkeypatch):
    """Walks the list by `next` on both paths, page by page, and returns the pages the new path gave."""
    pages = []
    while url:
        fast, slow = api.get(url), _filterset_answer(api, url, monkeypatch)
        assert fast.status_code == slow.status_code == 200, (url, fast.content, slow.content)
        assert fast.json() == slow.json(), url
        pages.append(fast.json())
        url = fast.json()["next"]
    return pages


def _queries(agenda, priorities, body, other_body) -> list[dict]:
    states, owners = agenda["states"], agenda["owners"]
    return [
        {},
        {"priority": priorities[0].pk},
        {"priority": [priorities[0].pk, priorities[2].pk, priorities[0].pk]},
        {"status": [Status.PLANNED, Status.IN_PROGRESS, Status.PLANNED]},
        {"status": Status.DONE, "kind": KINDS[:2]},
        {"body": [body.pk, other_body.pk]},
        {"body": other_body.pk, "ordering": "-due_date"},
        {"state": states[1].pk},
        {"presidency": agenda["later"].pk},
        {"presidency": priorities[0].presidency_id, "ordering": "priority"},
        {"owner": owners[0].pk},
        {"owner": "boris", "ordering": "-title"},
        {"owner": "nobody"},
        {"due_after": "2023-03-01", "due_before": "2023-09-30"},
        {"due_before": ["2023-12-31", "2023-05-01"]},  # the form reads the last value
        {"overdue": "true"},
        {"overdue": "false", "ordering": "title"},
        {"updated_since": (timezone.now() - dt.timedelta(hours=12)).isoformat(), "ordering": "updated"},
        {"ordering": "-updated"},
        {"ordering": "due_date,-title"},
        {"priority": priorities[1].pk, "status": [Status.PLANNED, Status.DONE], "ordering": "-priority",
         "due_after": "2023-02-01"},
    ]


def test_every_filter_and_order_answers_what_the_filterset_answers(write_api, agenda, priorities, body,
                                                                   other_body, served, monkeypatch):
    for query in _queries(agenda, priorities, body, other_body):
        url = "/api/v1/activities/?" + urlencode({**query, "page_size": 4}, doseq=True)
        before = served["fast"]
        pages = _walk_both(write_api, url, monkeypatch)
        assert served["fast"] - before == len(pages), f"{url} was not served by the new path"
        assert sum(len(page["results"]) for page in pages) <= 30


def test_the_filters_do_filter(write_api, agenda, priorities, served):
    """The comparison above would pass if both paths ignored a filter; this one would not."""
    everything = write_api.get("/api/v1/activities/?page_size=100").json()["results"]
    mine = write_api.get(f"/api/v1/activities/?page_size=100&priority={priorities[0].pk}"
                         f"&status={Status.PLANNED}&status={Status.DONE}&due_after=2023-02-01").json()["results"]
    assert 0 < len(mine) < len(everything)
    assert all(row["priority"] == priorities[0].pk and row["status"] in ("planned", "done")
               and row["due_date"] >= "2023-02-01" for row in mine)
    assert served["fast"] == 2


@pytest.mark.parametrize("query", [
    "search=Item", "owner=me", "count=true", "page=2", "priority=05", "priority=987654", "priority=x",
    "status=bogus", "due_after=31.02.2023", "due_after=2023-13-01", "ordering=nonsense", "cursor=garbage",
    "page_size=0", "updated_since=2023-05-01T10:00:00", "updated_since=2023-05-01T10:00:00 03:00", "priority=",
    "state=99999", "presidency=99999", "page=1&cursor=abc",
])
def test_what_it_is_not_sure_of_is_answered_by_the_filterset(write_api, agenda, query, served, monkeypatch):
    url = f"/api/v1/activities/?page_size=5&{query}"
    fast, slow = write_api.get(url), _filterset_answer(write_api, url, monkeypatch)
    assert fast.status_code == slow.status_code
    assert fast.json() == slow.json()
    assert served["fast"] == 0


def test_a_refusal_still_names_the_field(write_api, agenda):
    response = write_api.get("/api/v1/activities/?priority=987654&due_after=2023-01-01")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["priority"]


def test_a_new_value_of_a_known_shape_is_one_statement(write_api, agenda, priorities,
                                                      django_assert_num_queries, django_assert_max_num_queries):
    first = f"/api/v1/activities/?priority={priorities[0].pk}&due_before=2023-12-31&page_size=2"
    write_api.get(first)  # the key's first use of the minute, and the priorities' ids read once
    with django_assert_num_queries(1):  # another priority and date: the same shape, no check query
        page = write_api.get(f"/api/v1/activities/?priority={priorities[1].pk}&due_before=2023-11-30"
                             "&page_size=2").json()
    assert page["next"]
    with django_assert_num_queries(1):  # a cursor page: one statement too
        assert write_api.get(page["next"]).status_code == 200
    with django_assert_max_num_queries(1):  # a new shape is compiled, and still runs one statement
        assert write_api.get(f"/api/v1/activities/?priority={priorities[1].pk}&priority={priorities[2].pk}"
                             "&status=planned&ordering=-updated").status_code == 200


def test_a_priority_added_since_the_ids_were_read_is_known_at_once(write_api, agenda, priorities):
    assert write_api.get(f"/api/v1/activities/?priority={priorities[0].pk}").status_code == 200
    added = factories.PriorityFactory(presidency=agenda["later"], number=2)
    factories.ActivityFactory(priority=added)
    assert [row["priority"] for row in write_api.get(f"/api/v1/activities/?priority={added.pk}").json()["results"]] \
        == [added.pk]


def test_a_priority_deleted_here_is_refused_at_once(write_api, agenda):
    spare = factories.PriorityFactory(presidency=agenda["later"], number=3)
    assert write_api.get(f"/api/v1/activities/?priority={spare.pk}").status_code == 200
    spare.delete()
    response = write_api.get(f"/api/v1/activities/?priority={spare.pk}")
    assert response.status_code == 400
    assert "priority" in response.json()["errors"]


def test_a_priority_deleted_elsewhere_is_refused_once_the_ids_are_read_again(write_api, agenda, settings,
                                                                           monkeypatch):
    settings.API_ID_CACHE_SECONDS = 10
    settings.API_STATEMENT_CACHE_SECONDS = 0  # the ids alone: no first page remembered by its URL
    now = [1000.0]
    monkeypatch.setattr(list_params, "_clock", lambda: now[0])
    spare = factories.PriorityFactory(presidency=agenda["later"], number=4)
    url = f"/api/v1/activities/?priority={spare.pk}&due_after=2023-01-01"
    assert write_api.get(url).status_code == 200
    Priority.objects.filter(pk=spare.pk)._raw_delete(Priority.objects.db)  # no signal: as another process
    now[0] += 9
    assert write_api.get(url).json()["results"] == []  # still known: an empty page, not a wrong one
    now[0] += 1.5
    assert write_api.get(url).status_code == 400


def test_a_first_page_it_served_is_remembered_by_its_url(write_api, agenda, priorities, monkeypatch,
                                                         django_assert_num_queries):
    url = f"/api/v1/activities/?priority={priorities[0].pk}&due_after=2023-02-01&page_size=3"
    first = write_api.get(url).json()
    monkeypatch.setattr(list_params, "_read", lambda *args: pytest.fail("read again"))
    with django_assert_num_queries(1):
        assert write_api.get(url).json() == first
