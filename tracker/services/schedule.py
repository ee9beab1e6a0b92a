"""Schedule writes (issue 17): links between activities, approved baselines and the waiting notices.

Each function is keyword-only, runs in one transaction, checks the caller in tracker/permissions.py and
writes its outbox event. Moving a predecessor never changes a successor's dates: the successor is flagged
"waiting on ..." (derived on read), its watchers are told once (`activity.waiting`, ledger WaitingNotice),
and people decide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import caching, clock, dbretry, events, permissions
from tracker import schedule_graph as graph
from tracker.errors import DomainError, InvalidInput, NotPermitted
from tracker.models import (
    Activity,
    Baseline,
    BaselineItem,
    Dependency,
    Milestone,
    Presidency,
    WaitingNotice,
)
from tracker.permissions import Actor
from tracker.validators import multi_line


class CycleRefused(InvalidInput):
    """The link would close a cycle; the message names the path."""

    code = "dependency_cycle"


def _name(activity_id: int, titles: dict[int, str]) -> str:
    return f"“{titles.get(activity_id, activity_id)}” (#{activity_id})"


def dependency_summary(link: Dependency) -> dict[str, Any]:
    return {"id": link.pk, "predecessor": link.predecessor_id, "successor": link.successor_id, "kind": link.kind,
            "predecessor_milestone": link.predecessor_milestone_id}


@dbretry.atomic
def dependency_create(
    *,
    actor: Actor,
    successor: Activity,
    predecessor: Activity | None = None,
    predecessor_milestone: Milestone | None = None,
    kind: str = graph.FINISH_TO_START,
) -> Dependency:
    """`successor` waits on `predecessor` (or on one of its milestones). Refused with a reason naming the
    fault: a link to itself, across presidencies, twice, or closing a cycle (the path is named)."""
    permissions.ensure_can_edit_activity(actor, successor)
    if kind not in graph.KINDS:
        raise InvalidInput({"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(graph.KINDS)}]})
    if predecessor_milestone is not None:
        if predecessor is not None and predecessor_milestone.activity_id != predecessor.pk:
            raise InvalidInput({"predecessor_milestone": [_("This milestone belongs to another activity.")]})
        predecessor = predecessor_milestone.activity
    if predecessor is None:
        raise InvalidInput({"predecessor": [_("Name the activity (or milestone) this one waits on.")]})
    if predecessor.pk == successor.pk:
        raise InvalidInput({"predecessor": [_("An activity cannot depend on itself.")]})
    presidency_ids = dict(
        Activity.objects.filter(pk__in=[predecessor.pk, successor.pk]).values_list("id", "priority__presidency_id")
    )
    if presidency_ids.get(predecessor.pk) != presidency_ids.get(successor.pk):
        raise InvalidInput({"predecessor": [_(
            "Both activities must belong to the same presidency: links across presidencies are not allowed."
        )]})
    # One writer of links per presidency at a time, so two concurrent links cannot close a cycle together.
    list(Presidency.objects.select_for_update().filter(pk=presidency_ids[successor.pk]).values_list("pk"))
    existing = Dependency.objects.filter(successor__priority__presidency_id=presidency_ids[successor.pk])
    duplicate = existing.filter(predecessor=predecessor, successor=successor,
                                predecessor_milestone=predecessor_milestone)
    if duplicate.exists():
        raise InvalidInput({"predecessor": [_("These two are already linked.")]})
    pairs = [graph.Link(p, s) for p, s in existing.values_list("predecessor_id", "successor_id")]
    cycle = graph.cycle_if_added(pairs, predecessor.pk, successor.pk)
    if cycle:
        titles = dict(Activity.objects.filter(pk__in=set(cycle)).values_list("id", "title"))
        raise CycleRefused({"predecessor": [_(
            "This link would make a cycle: %(path)s. An activity cannot wait, even indirectly, on itself."
        ) % {"path": " → ".join(_name(pk, titles) for pk in cycle)}]})
    link = Dependency.objects.create(
        predecessor=predecessor, predecessor_milestone=predecessor_milestone, successor=successor, kind=kind,
        created_by=actor.name,
    )
    events.emit(events.DEPENDENCY_CREATED, successor, {"dependency": dependency_summary(link)})
    caching.bump()
    _notify_waiting(link_ids=[link.pk], today=clock.today())
    return link


@dbretry.atomic
def dependency_delete(*, actor: Actor, dependency: Dependency) -> None:
    permissions.ensure_can_edit_activity(actor, dependency.successor)
    summary = dependency_summary(dependency)
    successor = dependency.successor
    dependency.delete()
    events.emit(events.DEPENDENCY_DELETED, successor, {"dependency": summary})
    caching.bump()


@dbretry.atomic
def baseline_approve(*, actor: Actor, presidency: Presidency, reason: str) -> Baseline:
    """Freeze the plan as it stands: every activity's start and due dates and its milestones' due dates. Earlier
    baselines stay; a baseline needs a reason and is never changed afterwards."""
    if not permissions.can_manage_agenda(actor):
        raise NotPermitted(_("Only coordinators approve a baseline."))
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Say why this plan is approved as a baseline.")]})
    try:
        multi_line(reason)
    except ValidationError as exc:
        raise InvalidInput({"reason": [str(m) for m in exc.messages]}) from None
    if len(reason) > 5000:
        raise InvalidInput({"reason": [_("Keep the reason under 5000 characters.")]})
    locked = Presidency.objects.select_for_update().get(pk=presidency.pk)
    last = Baseline.objects.filter(presidency=locked).order_by("-number").values_list("number", flat=True).first()
    baseline = Baseline.objects.create(
        presidency=locked, number=(last or 0) + 1, reason=reason, approved_at=clock.now(),
        approved_by=actor.user, approved_by_name=actor.name,
    )
    items = [
        BaselineItem(baseline=baseline, activity_id=pk, title=title[:300], start_date=start, due_date=due)
        for pk, title, start, due in Activity.objects.filter(priority__presidency=locked).order_by("id")
        .values_list("id", "title", "start_date", "due_date")
    ]
    items += [
        BaselineItem(baseline=baseline, activity_id=activity_id, milestone_id=pk, title=title[:300], due_date=due)
        for pk, activity_id, title, due in Milestone.objects.filter(activity__priority__presidency=locked)
        .order_by("id").values_list("id", "activity_id", "title", "due_date")
    ]
    BaselineItem.objects.bulk_create(items, batch_size=1000)
    events.emit(events.BASELINE_APPROVED, None, {"baseline": {
        "id": baseline.pk, "presidency": locked.pk, "number": baseline.number, "reason": reason,
        "activities": sum(1 for i in items if i.milestone_id is None), "approved_by": actor.name}})
    caching.bump()
    return baseline


def dates_changed(activity: Activity) -> None:
    """After an activity's dates or status changed (in the writer's transaction): tell the watchers of the
    successors that now wait on it, once. One query when it has no successors."""
    links = Dependency.objects.filter(predecessor=activity)
    if links.exists():
        _notify_waiting(link_ids=None, today=clock.today(), links=links)


def waiting_notify(*, presidency: Presidency | None = None, today: dt.date | None = None) -> list[int]:
    """Tell the watchers of every successor that started waiting, once per link and predecessor due date
    (`activity.waiting`). The hourly risk job runs it; link writes run it for their link. Returns the
    successors' ids."""
    today = today or clock.today()
    with transaction.atomic():
        links = Dependency.objects.all()
        if presidency is not None:
            links = links.filter(successor__priority__presidency=presidency)
        return _notify_waiting(link_ids=None, today=today, links=links)


def _notify_waiting(*, link_ids: list[int] | None, today: dt.date, links: Any = None) -> list[int]:
    """The ledger step, in the caller's transaction, in a fixed number of queries."""
    from tracker.selectors.schedule import compute_schedule  # reads; imported here to keep services first

    queryset = links if links is not None else Dependency.objects.filter(pk__in=link_ids or [])
    rows = list(queryset.values_list("id", "predecessor_id", "predecessor_milestone_id", "successor_id",
                                     "predecessor__due_date", "predecessor_milestone__due_date",
                                     "successor__priority__presidency_id"))
    if not rows:
        return []
    schedules = {}
    for presidency in Presidency.objects.filter(pk__in={r[6] for r in rows}):
        schedules[presidency.pk] = compute_schedule(presidency, today)
    noticed = set(WaitingNotice.objects.filter(dependency_id__in=[r[0] for r in rows])
                  .values_list("dependency_id", "predecessor_due"))
    fresh: list[tuple[int, int, int, dt.date, str]] = []
    for link_id, pred, milestone, succ, pred_due, milestone_due, presidency_id in rows:
        node = -milestone if milestone else pred
        due = (milestone_due or pred_due) if milestone else pred_due
        item = schedules[presidency_id].activities.get(succ)
        reason = next((r for n, r in (item.waiting if item else []) if n == node), None)
        if reason and (link_id, due) not in noticed:
            fresh.append((link_id, pred, succ, due, reason))
    if not fresh:
        return []
    WaitingNotice.objects.bulk_create(
        [WaitingNotice(dependency_id=link_id, predecessor_due=due, reason=reason)
         for link_id, _p, _s, due, reason in fresh], ignore_conflicts=True)
    activities = Activity.objects.in_bulk({s for _l, _p, s, _d, _r in fresh} | {p for _l, p, _s, _d, _r in fresh})
    events.emit_many([
        (events.ACTIVITY_WAITING, activities[succ], {"waiting_on": {
            "dependency": link_id, "activity": pred, "title": activities[pred].title, "due_date": due.isoformat(),
            "reason": reason}})
        for link_id, pred, succ, due, reason in fresh
    ])
    return [succ for _l, _p, succ, _d, _r in fresh]


__all__ = [
    "CycleRefused",
    "DomainError",
    "baseline_approve",
    "dates_changed",
    "dependency_create",
    "dependency_delete",
    "waiting_notify",
]
