"""Who may assess, log risks and run stocktakes, and what bad input is refused (with nothing saved)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.delivery.conftest import TODAY
from tracker.errors import InvalidInput, NotPermitted
from tracker.models import Channel, ConfidenceAssessment, OutboxEvent, RaidEntry, Stocktake, StocktakeItem
from tracker.permissions import Actor
from tracker.selectors import delivery as selectors_delivery
from tracker.services import delivery as services_delivery
from tracker.services.delivery import StocktakeClosed

pytestmark = pytest.mark.django_db


def actor(user):
    return Actor.for_user(user, Channel.WEB)


def assess(who, activity, rating="green", narrative="On course", **extra):
    return services_delivery.assessment_create(actor=actor(who), activity=activity, rating=rating,
                                               narrative=narrative, **extra)


@pytest.mark.parametrize("role", ["editor", "coordinator"])
def test_editors_of_the_body_and_coordinators_assess_an_activity(request, activity, role):
    user = request.getfixturevalue(role)
    made = assess(user, activity, next_review=TODAY + dt.timedelta(days=30))
    assert made.assessor_name == user.username
    assert made.assessed_on == TODAY
    assert OutboxEvent.objects.filter(event_type="assessment.created", activity=activity).count() == 1


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_others_may_not_assess_an_activity(request, activity, role):
    with pytest.raises(NotPermitted):
        assess(request.getfixturevalue(role), activity)
    assert not ConfidenceAssessment.objects.exists()


def test_api_keys_never_assess(activity):
    client, _key = factories.make_api_client("writer")
    with pytest.raises(NotPermitted):
        services_delivery.assessment_create(actor=Actor.for_client(client), activity=activity, rating="green",
                                            narrative="x")


def test_only_coordinators_assess_a_priority(priorities, editor, coordinator):
    with pytest.raises(NotPermitted):
        services_delivery.assessment_create(actor=actor(editor), priority=priorities[0], rating="amber",
                                            narrative="Slow")
    made = services_delivery.assessment_create(actor=actor(coordinator), priority=priorities[0], rating="amber",
                                               narrative="Slow")
    assert made.priority == priorities[0]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"narrative": "   "}, "narrative"),
    ({"rating": "purple"}, "rating"),
    ({"next_review": TODAY - dt.timedelta(days=1)}, "next_review"),
])
def test_bad_assessments_name_the_field_and_save_nothing(activity, editor, kwargs, field):
    with pytest.raises(InvalidInput) as refused:
        assess(editor, activity, **kwargs)
    assert field in refused.value.errors
    assert not ConfidenceAssessment.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_assessments_append_and_the_latest_is_current_with_its_trend(activity, editor, coordinator):
    first = assess(editor, activity, rating="green")
    second = assess(coordinator, activity, rating="amber_red", narrative="Host venue lost")
    assert ConfidenceAssessment.objects.filter(activity=activity).count() == 2
    first.refresh_from_db()
    assert first.rating == "green"  # never overwritten
    view = selectors_delivery.ratings_for_activities([activity], period_start=dt.date(2023, 1, 1))[activity.pk]
    assert view.current == second
    assert view.trend == "down"
    assert view.trend_arrow == "↓"


def test_a_green_rating_on_an_overdue_or_lagging_activity_is_contradicted(priorities, body, editor):
    overdue = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=TODAY - dt.timedelta(
        days=3), start_date=dt.date(2023, 1, 10), progress=90)
    lagging = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 7, 1),
                                        start_date=dt.date(2023, 1, 10), progress=5)
    fine = factories.ActivityFactory(priority=priorities[0], responsible_body=body, due_date=dt.date(2023, 12, 1),
                                     start_date=dt.date(2023, 6, 1), progress=5)
    for item in (overdue, lagging, fine):
        assess(editor, item, rating="green")
    views = selectors_delivery.ratings_for_activities([overdue, lagging, fine], period_start=dt.date(2023, 1, 1))
    assert any("overdue" in text for text in views[overdue.pk].disagreements)
    assert any("pace" in text for text in views[lagging.pk].disagreements)
    assert views[fine.pk].disagreements == []
    assess(editor, overdue, rating="red", narrative="Late indeed")
    views = selectors_delivery.ratings_for_activities([overdue], period_start=dt.date(2023, 1, 1))
    assert views[overdue.pk].disagreements == []  # an honest red needs no note


# --- Risk log ----------------------------------------------------------------------------------------------

def test_risk_log_entries_keep_their_history_and_emit_events(activity, editor):
    entry = services_delivery.raid_create(actor=actor(editor), activity=activity, data={
        "statement": "Venue may not be ready", "likelihood": 4, "impact": 4})
    assert entry.priority == activity.priority
    assert entry.score == 16
    services_delivery.raid_update(actor=actor(editor), entry=entry, changes={"status": "monitoring",
                                                                              "escalated": True})
    assert entry.history.count() == 2
    assert list(OutboxEvent.objects.values_list("event_type", flat=True).order_by("created_at")) == [
        "risk.created", "risk.changed"]


@pytest.mark.parametrize(("data", "field"), [
    ({"statement": "x", "likelihood": 7, "impact": 2}, "likelihood"),
    ({"statement": "x", "likelihood": 2}, "impact"),
    ({"statement": " ", "kind": "issue"}, "statement"),
])
def test_bad_risk_entries_are_refused(activity, editor, data, field):
    with pytest.raises(InvalidInput) as refused:
        services_delivery.raid_create(actor=actor(editor), activity=activity, data=data)
    assert field in refused.value.errors
    assert not RaidEntry.objects.exists()


def test_a_priority_risk_is_the_coordinators(priorities, editor, coordinator):
    data = {"statement": "Funding", "likelihood": 2, "impact": 3}
    with pytest.raises(NotPermitted):
        services_delivery.raid_create(actor=actor(editor), priority=priorities[0], data=data)
    assert services_delivery.raid_create(actor=actor(coordinator), priority=priorities[0], data=data).pk


def test_outsiders_may_not_change_an_activitys_risks(activity, editor, outsider):
    entry = services_delivery.raid_create(actor=actor(editor), activity=activity,
                                          data={"statement": "x", "likelihood": 1, "impact": 1})
    with pytest.raises(NotPermitted):
        services_delivery.raid_update(actor=actor(outsider), entry=entry, changes={"status": "closed"})


# --- Stocktakes ----------------------------------------------------------------------------------------------

def test_only_coordinators_run_stocktakes(presidency, editor):
    with pytest.raises(NotPermitted):
        services_delivery.stocktake_open(actor=actor(editor), presidency=presidency)
    assert not Stocktake.objects.exists()


def test_a_closed_stocktake_is_frozen(presidency, activity, coordinator, editor):
    stocktake = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    assert stocktake.held_on == TODAY and "2023-06" in stocktake.title
    assess(editor, activity, rating="amber")
    services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="decision",
                                         text="Move the exercise to September", activity=activity)
    services_delivery.stocktake_close(actor=actor(coordinator), stocktake=stocktake)
    assess(editor, activity, rating="red", narrative="Worse")
    stocktake.refresh_from_db()
    frozen = selectors_delivery.stocktake_view(stocktake)
    assert [row["rating"] for row in frozen["activities"]] == ["amber"]  # as it stood at closing
    with pytest.raises(StocktakeClosed) as refused:
        services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                             text="Late addition")
    assert "closed" in refused.value.message
    assert StocktakeItem.objects.count() == 1


def test_the_next_stocktake_shows_the_change_since_the_last(presidency, activity, coordinator, editor):
    assess(editor, activity, rating="green")
    first = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    services_delivery.stocktake_close(actor=actor(coordinator), stocktake=first)
    assess(editor, activity, rating="amber", narrative="Slipping")
    second = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    row = selectors_delivery.stocktake_view(second)["activities"][0]
    assert (row["previous_rating"], row["rating"], row["change"]) == ("green", "amber", "down")


def test_an_action_becomes_a_milestone_through_the_services(presidency, activity, coordinator):
    stocktake = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    item = services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                                text="Book the range", activity=activity,
                                                due_date=dt.date(2023, 7, 1))
    milestone = services_delivery.stocktake_item_to_milestone(actor=actor(coordinator), item=item)
    assert milestone.activity == activity and milestone.title == "Book the range"
    activity.refresh_from_db()
    assert activity.version > 1  # a real write of the agenda, logged as such


def test_an_action_becomes_a_new_activity_through_the_services(presidency, activity, coordinator):
    stocktake = services_delivery.stocktake_open(actor=actor(coordinator), presidency=presidency)
    undated = services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                                   text="Follow-up seminar", activity=activity)
    with pytest.raises(InvalidInput) as refused:
        services_delivery.stocktake_item_to_activity(actor=actor(coordinator), item=undated)
    assert "due_date" in refused.value.errors
    item = services_delivery.stocktake_add_item(actor=actor(coordinator), stocktake=stocktake, kind="action",
                                                text="Follow-up seminar", activity=activity,
                                                due_date=dt.date(2023, 10, 15))
    created = services_delivery.stocktake_item_to_activity(actor=actor(coordinator), item=item)
    assert (created.title, created.priority, created.responsible_body, created.due_date) == (
        "Follow-up seminar", activity.priority, activity.responsible_body, dt.date(2023, 10, 15))
    assert OutboxEvent.objects.filter(event_type="activity.created", activity=created).exists()
