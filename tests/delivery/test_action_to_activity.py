"""Issue 14's stocktake actions: one that names no activity becomes a new activity through a form where the
coordinator chooses its priority, body, kind and dates (the activity-create service), linked back to the
action; one about an activity becomes its milestone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests import factories
from tracker.errors import InvalidInput
from tracker.models import Activity, Channel, StocktakeItem
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db


def actor(user) -> Actor:
    return Actor.for_user(user, Channel.WEB)


@pytest.fixture
def loose_action(presidency, coordinator):
    stocktake = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    return services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                                text="Seminar on drone defence", due_date=dt.date(2023, 11, 1))


def test_a_loose_action_needs_a_priority_and_body_and_nothing_is_written(loose_action, coordinator):
    with pytest.raises(InvalidInput) as refused:
        services_delivery.stocktake_item_to_activity(actor=actor(coordinator), item=loose_action)
    assert {"priority", "responsible_body"} <= set(refused.value.errors)
    assert Activity.objects.count() == 0


def test_a_loose_action_becomes_an_activity_with_the_chosen_priority_and_dates(loose_action, coordinator,
                                                                               priorities, other_body):
    created = services_delivery.stocktake_item_to_activity(actor=actor(coordinator), item=loose_action, data={
        "priority": priorities[2], "responsible_body": other_body, "kind": "meeting",
        "start_date": dt.date(2023, 10, 30), "due_date": dt.date(2023, 10, 31)})
    assert (created.priority, created.responsible_body, created.kind, created.start_date, created.due_date) == (
        priorities[2], other_body, "meeting", dt.date(2023, 10, 30), dt.date(2023, 10, 31))
    assert created.title == "Seminar on drone defence"
    loose_action.refresh_from_db()
    assert loose_action.created_activity == created  # linked back
    with pytest.raises(InvalidInput):  # not twice
        services_delivery.stocktake_item_to_activity(actor=actor(coordinator), item=loose_action, data={
            "priority": priorities[2], "responsible_body": other_body})


def test_a_priority_of_another_presidency_is_refused(loose_action, coordinator, body):
    other = factories.PriorityFactory(presidency=factories.PresidencyFactory(
        code="csto-2024-kz", period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31)), number=1)
    with pytest.raises(InvalidInput) as refused:
        services_delivery.stocktake_item_to_activity(actor=actor(coordinator), item=loose_action,
                                                     data={"priority": other, "responsible_body": body})
    assert "priority" in refused.value.errors


def test_the_stocktake_screen_offers_the_form_and_creates_the_activity(loose_action, coordinator, priorities,
                                                                       body):
    client = Client()
    client.force_login(coordinator)
    url = f"/stocktakes/{loose_action.stocktake_id}/"
    screen = client.get(url).content.decode()
    assert f'href="?convert={loose_action.pk}#convert-form"' in screen and 'id="convert-form"' not in screen
    form = client.get(f"{url}?convert={loose_action.pk}").content.decode()
    assert 'id="convert-form"' in form and "Seminar on drone defence" in form
    prefix = f"action-{loose_action.pk}"
    bad = client.post(f"/stocktake-items/{loose_action.pk}/activity/", {
        f"{prefix}-title": "Seminar", f"{prefix}-priority": str(priorities[1].pk),
        f"{prefix}-responsible_body": str(body.pk), f"{prefix}-kind": "meeting",
        f"{prefix}-due_date": "2023-02-30"})
    assert bad.status_code == 400 and "field__errors" in bad.content.decode() and Activity.objects.count() == 0
    done = client.post(f"/stocktake-items/{loose_action.pk}/activity/", {
        f"{prefix}-title": "Seminar on drone defence", f"{prefix}-priority": str(priorities[1].pk),
        f"{prefix}-responsible_body": str(body.pk), f"{prefix}-kind": "meeting",
        f"{prefix}-start_date": "", f"{prefix}-due_date": "2023-11-02"})
    assert done.status_code == 302
    created = StocktakeItem.objects.get(pk=loose_action.pk).created_activity
    assert (created.priority, created.due_date, created.kind) == (priorities[1], dt.date(2023, 11, 2), "meeting")
    assert f'href="/activities/{created.pk}/"' in client.get(url).content.decode()


def test_an_action_about_an_activity_still_becomes_its_milestone_or_a_sibling(presidency, activity, coordinator):
    stocktake = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    item = services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                                text="Book the range", activity=activity,
                                                due_date=dt.date(2023, 7, 1))
    client = Client()
    client.force_login(coordinator)
    assert client.post(f"/stocktake-items/{item.pk}/milestone/").status_code == 302
    assert activity.milestones.filter(title="Book the range").exists()
    other = services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                                 text="Second range", activity=activity, due_date=dt.date(2023, 8, 1))
    assert client.post(f"/stocktake-items/{other.pk}/activity/").status_code == 302
    created = StocktakeItem.objects.get(pk=other.pk).created_activity
    assert (created.priority, created.responsible_body) == (activity.priority, activity.responsible_body)
