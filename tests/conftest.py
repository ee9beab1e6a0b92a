"""Shared fixtures: one small agenda and the people who use it, as most test files need them.

Users: a coordinator, an editor of the responsible body ("editor"), an editor of another body
("outsider") and a viewer. Activities are created straight in the database; writes under test go through
the services.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tracker.models import Channel, Role
from tracker.permissions import Actor


@pytest.fixture
def presidency(db):
    return factories.PresidencyFactory()


@pytest.fixture
def priorities(presidency):
    return [factories.PriorityFactory(presidency=presidency, number=n) for n in (1, 2, 3, 4)]


@pytest.fixture
def body(db):
    return factories.BodyFactory(code="by-mod", name="Ministry of Defence of Belarus")


@pytest.fixture
def other_body(db):
    return factories.BodyFactory(code="by-mfa", name="Ministry of Foreign Affairs of Belarus")


@pytest.fixture
def activity(priorities, body):
    return factories.ActivityFactory(
        priority=priorities[2], responsible_body=body, title="Joint exercises in Belarus",
        start_date=dt.date(2023, 3, 1), due_date=dt.date(2023, 9, 30),
    )


@pytest.fixture
def coordinator(db):
    return factories.make_staff("coordinator", Role.COORDINATOR)


@pytest.fixture
def editor(body):
    return factories.make_staff("editor", Role.EDITOR, body)


@pytest.fixture
def outsider(other_body):
    return factories.make_staff("outsider", Role.EDITOR, other_body)


@pytest.fixture
def viewer(db):
    return factories.make_staff("viewer", Role.VIEWER, is_staff=False)


@pytest.fixture
def coordinator_actor(coordinator):
    return Actor.for_user(coordinator, Channel.WEB)


@pytest.fixture
def editor_actor(editor):
    return Actor.for_user(editor, Channel.WEB)
