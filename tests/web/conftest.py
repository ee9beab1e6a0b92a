"""Fixtures for the web board's tests: signed-in clients for each role and agendas of any size."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tracker.models import Activity
from tracker.workflow import Status


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users made for these tests get a cheap password hash (the real one costs half a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def signed_in():
    """A test client signed in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true", "HX-Current-URL": "http://testserver/board/"}


def bulk_activities(priorities, bodies, count: int, *, statuses=None, prefix: str = "Bulk activity") -> list[Activity]:
    """`count` activities spread over the priorities, statuses and bodies, created in one statement (rows as a
    fixture would load them; writes under test go through the services)."""
    statuses = statuses or Status.values
    cycle = itertools.cycle(itertools.product(priorities, statuses, bodies))
    rows = []
    for n in range(count):
        priority, status, body = next(cycle)
        due = dt.date(2023, 1, 10) + dt.timedelta(days=(n * 7) % 350)
        rows.append(Activity(
            priority=priority, title=f"{prefix} {n}", title_ru=f"Мероприятие {n}", status=status,
            start_date=due - dt.timedelta(days=30), due_date=due, responsible_body=body,
            progress=100 if status == Status.DONE else (n * 10) % 100,
            completed_date=due if status == Status.DONE else None, kind=Activity.Kind.MEETING,
        ))
    return Activity.objects.bulk_create(rows)


@pytest.fixture
def agenda(presidency, priorities, body, other_body):
    """A small agenda: the shared `activity` of `body` plus one of `other_body` and one finished."""
    own = factories.ActivityFactory(
        priority=priorities[2], responsible_body=body, title="Joint exercises in Belarus",
        title_ru="Совместные учения в Беларуси", start_date=dt.date(2023, 3, 1), due_date=dt.date(2023, 9, 30),
        kind=Activity.Kind.EXERCISE,
    )
    foreign = factories.ActivityFactory(
        priority=priorities[1], responsible_body=other_body, title="Dialogue with China",
        title_ru="Диалог с Китаем", due_date=dt.date(2023, 10, 31), kind=Activity.Kind.DIALOGUE,
    )
    finished = factories.ActivityFactory(
        priority=priorities[0], responsible_body=other_body, title="Statement on nuclear rhetoric",
        status=Status.DONE, progress=100, completed_date=dt.date(2023, 5, 2), due_date=dt.date(2023, 5, 31),
        kind=Activity.Kind.DOCUMENT,
    )
    return {"own": own, "foreign": foreign, "finished": finished}


def count_queries(client: Client, url: str) -> tuple[int, object]:
    """Run a GET and return (number of queries, response), reading a streamed body too."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured), response
