"""Links, baselines and waiting notices through the services; the schedule read in bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tracker import clock, services
from tracker import schedule_graph as graph
from tracker.errors import InvalidInput, NotPermitted
from tracker.jobs import risk
from tracker.models import Baseline, BaselineItem, Channel, Dependency, OutboxEvent, ProgressUpdate
from tracker.models.schedule import BaselineFrozen
from tracker.permissions import Actor
from tracker.selectors.schedule import agenda_schedule, compute_schedule, slippage
from tracker.workflow import Status

D = dt.date


@pytest.fixture
def chain(priorities, body):
    """Network formed (1 Mar – 30 Apr) → heads of institutes meet (1 – 31 May) → report (1 Jun – 30 Jun)."""
    make = factories.ActivityFactory
    return [
        make(priority=priorities[1], responsible_body=body, title="Form the network",
             start_date=D(2023, 3, 1), due_date=D(2023, 4, 30)),
        make(priority=priorities[1], responsible_body=body, title="Heads of institutes meet",
             start_date=D(2023, 5, 1), due_date=D(2023, 5, 31)),
        make(priority=priorities[1], responsible_body=body, title="Report",
             start_date=D(2023, 6, 1), due_date=D(2023, 6, 30)),
    ]


def test_link_and_cycle_named(chain, editor_actor):
    a, b, c = chain
    services.dependency_create(actor=editor_actor, predecessor=a, successor=b)
    services.dependency_create(actor=editor_actor, predecessor=b, successor=c)
    with pytest.raises(InvalidInput) as refused:
        services.dependency_create(actor=editor_actor, predecessor=c, successor=a)
    message = refused.value.field_errors()["predecessor"][0]
    assert "“Report”" in message and "“Form the network”" in message and "cycle" in message
    assert message.index("Report") < message.index("Form the network") < message.index("Heads")
    assert Dependency.objects.count() == 2


def test_link_refusals(chain, editor_actor, viewer, other_body):
    a, b, _c = chain
    with pytest.raises(InvalidInput, match="itself"):
        services.dependency_create(actor=editor_actor, predecessor=a, successor=a)
    with pytest.raises(InvalidInput, match="Choose one of"):
        services.dependency_create(actor=editor_actor, predecessor=a, successor=b, kind="ss")
    services.dependency_create(actor=editor_actor, predecessor=a, successor=b)
    with pytest.raises(InvalidInput, match="already linked"):
        services.dependency_create(actor=editor_actor, predecessor=a, successor=b)
    with pytest.raises(NotPermitted):
        services.dependency_create(actor=Actor.for_user(viewer, Channel.WEB), predecessor=b, successor=a)
    other = factories.PresidencyFactory(code="csto-2024", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    foreign = factories.ActivityFactory(priority=factories.PriorityFactory(presidency=other, number=1),
                                        responsible_body=a.responsible_body, due_date=D(2024, 3, 1),
                                        start_date=D(2024, 1, 1))
    with pytest.raises(InvalidInput, match="same presidency"):
        services.dependency_create(actor=editor_actor, predecessor=foreign, successor=b)


def test_moving_the_predecessor_flags_the_successor_and_tells_watchers_once(chain, editor_actor, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))
    a, b, _c = chain
    services.dependency_create(actor=editor_actor, predecessor=a, successor=b)
    assert OutboxEvent.objects.filter(event_type="activity.waiting").count() == 0
    today = D(2023, 3, 15)
    schedule = compute_schedule(a.priority.presidency, today)
    assert schedule.activities[b.pk].waiting == []
    a.refresh_from_db()
    services.activity_update(actor=editor_actor, activity=a, changes={"due_date": D(2023, 5, 10)},
                             expected_version=a.version)
    b.refresh_from_db()
    assert b.start_date == D(2023, 5, 1) and b.due_date == D(2023, 5, 31)  # never moved silently
    schedule = compute_schedule(a.priority.presidency, today)
    assert schedule.activities[b.pk].waiting == [(a.pk, graph.DUE_AFTER_START)]
    events = OutboxEvent.objects.filter(event_type="activity.waiting")
    assert events.count() == 1 and events[0].payload["waiting_on"]["activity"] == a.pk
    services.waiting_notify(today=today)  # the hourly job again: nothing new
    a.refresh_from_db()
    services.activity_update(actor=editor_actor, activity=a, changes={"title": "Form the network of institutes"},
                             expected_version=a.version)
    assert events.count() == 1


def test_waiting_feeds_the_at_risk_rule(chain, editor_actor):
    a, b, _c = chain
    services.dependency_create(actor=editor_actor, predecessor=a, successor=b)
    # Far from b's deadline and no lag: only the waiting flag can make it at risk (a is late on 1 May).
    flagged = risk.flag_at_risk(D(2023, 5, 2))
    assert b.pk in [x.pk for x in flagged]
    b.refresh_from_db()
    assert b.status == Status.AT_RISK
    assert "waiting on “Form the network”, which is late" in b.progress_updates.first().event_text


def test_forecast_from_progress_and_propagation(chain, editor_actor, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))
    a, b, c = chain
    services.dependency_create(actor=editor_actor, predecessor=a, successor=b)
    services.dependency_create(actor=editor_actor, predecessor=b, successor=c)
    start = timezone.make_aware(dt.datetime(2023, 3, 1, 12))
    for day, value in ((0, 10), (10, 20)):
        ProgressUpdate.objects.create(activity=a, created_at=start + dt.timedelta(days=day), actor_name="x",
                                      channel=Channel.WEB, new_progress=value)
    a.progress = 20
    a.save()
    schedule = compute_schedule(a.priority.presidency, D(2023, 3, 21))
    # 10 points in 20 days (from 1 Mar to 21 Mar): 0.5 a day, 80 left -> 160 days -> 28 Aug.
    assert schedule.activities[a.pk].forecast == D(2023, 8, 28)
    assert schedule.activities[a.pk].late_days == (D(2023, 8, 28) - D(2023, 4, 30)).days
    assert schedule.activities[b.pk].method == graph.NO_DATA
    assert schedule.activities[b.pk].forecast == D(2023, 8, 29) + dt.timedelta(days=30)  # pushed
    summary = schedule.priorities[a.priority_id]
    assert summary.chain == [a.pk, b.pk, c.pk]
    assert summary.forecast_late == 3 and summary.latest_finish == schedule.activities[c.pk].forecast


def test_baselines_are_frozen_need_a_reason_and_measure_slippage(chain, coordinator_actor, editor_actor,
                                                                 monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))
    a, _b, _c = chain
    presidency = a.priority.presidency
    with pytest.raises(InvalidInput, match="Say why"):
        services.baseline_approve(actor=coordinator_actor, presidency=presidency, reason="  ")
    with pytest.raises(NotPermitted):
        services.baseline_approve(actor=editor_actor, presidency=presidency, reason="Approved plan")
    first = services.baseline_approve(actor=coordinator_actor, presidency=presidency, reason="Approved in March")
    assert first.number == 1 and first.items.filter(milestone__isnull=True).count() == 3
    with pytest.raises(BaselineFrozen):
        first.reason = "changed"
        first.save()
    item = BaselineItem.objects.filter(baseline=first).first()
    with pytest.raises(BaselineFrozen):
        item.save()
    a.refresh_from_db()
    services.activity_update(actor=editor_actor, activity=a, changes={"due_date": D(2023, 5, 20)},
                             expected_version=a.version)
    second = services.baseline_approve(actor=coordinator_actor, presidency=presidency, reason="Re-planned")
    assert list(Baseline.objects.values_list("number", flat=True)) == [2, 1]
    report = slippage(presidency, first, second)
    row = report["priorities"][0]
    assert (row.compared, row.slipped, row.days, row.worst) == (3, 1, 20, 20)
    assert slippage(presidency, second)["priorities"][0].slipped == 0
    schedule = agenda_schedule(presidency, D(2023, 3, 1))
    assert schedule.baseline == (second.pk, 2) and schedule.activities[a.pk].baseline_due == D(2023, 5, 20)


@pytest.mark.parametrize("size", [10, 100])
def test_schedule_read_is_bounded(priorities, body, django_assert_max_num_queries, size):
    acts = [factories.ActivityFactory(priority=priorities[n % 4], responsible_body=body, progress=n % 50)
            for n in range(size)]
    Dependency.objects.bulk_create([Dependency(predecessor=acts[n], successor=acts[n + 1]) for n in range(size - 1)]
                                   + [Dependency(predecessor=acts[n], successor=acts[n + 2]) for n in range(size - 2)])
    ProgressUpdate.objects.bulk_create([ProgressUpdate(activity=x, actor_name="x", channel=Channel.WEB,
                                                       new_progress=x.progress) for x in acts])
    with django_assert_max_num_queries(6):
        schedule = compute_schedule(priorities[0].presidency, D(2023, 3, 1))
    assert len(schedule.activities) == size and len(schedule.links) == 2 * size - 3
