"""Reads for commitments: coverage, a source's passages, declared versus delivered. Every function runs a
fixed number of queries, whatever the number of rows.

`commitment_state` is the one place that says whether a commitment is on track, at risk or settled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from tracker import workflow
from tracker.models import (
    Activity,
    Commitment,
    MemberState,
    Outcome,
    Participation,
    Presidency,
    Priority,
    RaidEntry,
    Source,
)
from tracker.selectors import delivery as selectors_delivery
from tracker.workflow import Status

# A commitment's state on screen: its signed outcome, else what its activities say.
NO_ACTIVITY = "no_activity"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
STATE_LABELS = {
    NO_ACTIVITY: _("No activity"),
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    **{value: label for value, label in Outcome.choices},
}
_TROUBLED = frozenset({Status.AT_RISK, Status.BLOCKED})


def commitment_state(commitment: Commitment, today: dt.date) -> str:
    """Signed outcome first; without one, at risk when any open activity serving it is at risk, blocked or
    overdue, on track when it has activities and none is, and "no activity" when nothing serves it.
    Reads `commitment.activities.all()`: prefetch it."""
    if commitment.outcome:
        return commitment.outcome
    activities = list(commitment.activities.all())
    if not activities:
        return NO_ACTIVITY
    for activity in activities:
        if activity.status in _TROUBLED or workflow.is_overdue(
            status=activity.status, due_date=activity.due_date, today=today
        ):
            return AT_RISK
    return ON_TRACK


def commitments_of(presidency: Presidency) -> QuerySet[Commitment]:
    """The presidency's commitments with their source, priority, signer and activities (three queries)."""
    activities = Activity.objects.select_related("responsible_body").order_by("due_date", "id")
    return (
        Commitment.objects.filter(source__presidency=presidency)
        .select_related("source", "priority", "outcome_signed_by")
        .prefetch_related(Prefetch("activities", queryset=activities))
        .order_by("priority__number", "source__published_on", "source_id", "passage", "number")
    )


@dataclass
class PriorityCoverage:
    priority: Priority
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, state: str) -> int:
        return self.counts.get(state, 0)

    @property
    def kept(self) -> int:
        return self.count(Outcome.KEPT)


@dataclass
class Coverage:
    without_activity: list[Commitment]
    activities_without_commitment: list[Activity]
    per_priority: list[PriorityCoverage]
    states: dict[int, str]


def coverage(presidency: Presidency, today: dt.date) -> Coverage:
    commitments = list(commitments_of(presidency))
    states = {c.pk: commitment_state(c, today) for c in commitments}
    per_priority = {p.pk: PriorityCoverage(priority=p) for p in presidency.priorities.order_by("number")}
    for commitment in commitments:
        row = per_priority.get(commitment.priority_id)
        if row is not None:
            state = states[commitment.pk]
            row.counts[state] = row.counts.get(state, 0) + 1
    orphans = list(
        Activity.objects.filter(priority__presidency=presidency, commitments__isnull=True)
        .select_related("priority").order_by("priority__number", "due_date", "id")
    )
    return Coverage(
        without_activity=[c for c in commitments if states[c.pk] == NO_ACTIVITY],
        activities_without_commitment=orphans,
        per_priority=list(per_priority.values()),
        states=states,
    )


def sources_of(presidency: Presidency) -> QuerySet[Source]:
    """The presidency's sources, each with its commitments in the order of their passages."""
    ordered = Commitment.objects.order_by("passage", "number")
    return Source.objects.filter(presidency=presidency).prefetch_related(Prefetch("commitments", queryset=ordered))


def sources_of_any() -> QuerySet[Source]:
    """Every source, with its presidency and its commitments in the order of their passages."""
    ordered = Commitment.objects.select_related("priority").order_by("passage", "number")
    return Source.objects.select_related("presidency").prefetch_related(Prefetch("commitments", queryset=ordered))


def commitment_detail(pk: int) -> Commitment:
    activities = Activity.objects.select_related("responsible_body", "priority").order_by("due_date", "id")
    return (
        Commitment.objects.select_related("source", "priority__presidency", "outcome_signed_by")
        .prefetch_related(Prefetch("activities", queryset=activities))
        .get(pk=pk)
    )


@dataclass
class DeliveredRow:
    commitment: Commitment
    state: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def declared_vs_delivered(presidency: Presidency, today: dt.date) -> list[DeliveredRow]:
    """Every commitment of the presidency with its state, evidence and the activities that carried it."""
    return [DeliveredRow(c, commitment_state(c, today)) for c in commitments_of(presidency)]


def activity_commitments(activity_ids: Iterable[int]) -> dict[int, list[Commitment]]:
    """The commitments each activity serves, for cards and activity pages (one query)."""
    result: dict[int, list[Commitment]] = {}
    through = Commitment.activities.through.objects.filter(activity_id__in=list(activity_ids)).select_related(
        "commitment"
    )
    for link in through:
        result.setdefault(link.activity_id, []).append(link.commitment)
    return result


# --- Member-state participation ---------------------------------------------------------------------------

@dataclass
class Matrix:
    activities: list[Activity]
    states: list[MemberState]
    cells: dict[tuple[int, int], Participation]

    def rows(self) -> list[tuple[Activity, list[Participation | None]]]:
        return [(a, [self.cells.get((a.pk, s.pk)) for s in self.states]) for a in self.activities]


def participation_matrix(presidency: Presidency, *, priority: Priority | None = None, kind: str = "") -> Matrix:
    """Activities by states (three queries): members first, then the observers and partners that take part."""
    activities = Activity.objects.filter(priority__presidency=presidency).select_related("priority")
    if priority is not None:
        activities = activities.filter(priority=priority)
    if kind:
        activities = activities.filter(kind=kind)
    activities = list(activities.order_by("priority__number", "due_date", "id"))
    cells = {
        (p.activity_id, p.memberstate_id): p
        for p in Participation.objects.filter(activity__in=[a.pk for a in activities])
    }
    involved = {state_id for _, state_id in cells}
    states = [s for s in MemberState.objects.order_by("-is_member", "name") if s.is_member or s.pk in involved]
    return Matrix(activities=activities, states=states, cells=cells)


@dataclass
class StatePage:
    state: MemberState
    roles: list[Participation]
    declined: list[Participation]
    upcoming: list[Participation]


def member_state_page(state: MemberState, presidency: Presidency, today: dt.date) -> StatePage:
    """A state's part in the presidency's activities: its roles, the invitations it declined, what is next."""
    rows = list(
        Participation.objects.filter(memberstate=state, activity__priority__presidency=presidency)
        .select_related("activity__priority").order_by("activity__due_date", "activity_id")
    )
    taking_part = [p for p in rows if p.role != Participation.Role.DECLINED]
    return StatePage(
        state=state,
        roles=taking_part,
        declined=[p for p in rows if p.role == Participation.Role.DECLINED],
        upcoming=[p for p in taking_part if p.activity.due_date >= today
                  and p.activity.status not in workflow.CLOSED_STATUSES],
    )


# --- Handover ---------------------------------------------------------------------------------------------

@dataclass
class HandoverPack:
    presidency: Presidency
    successor: Presidency | None
    open_activities: list[Activity]
    pending_decisions: list[Activity]
    handed_over: list[Activity]
    commitments: list[DeliveredRow]
    #: Open risks and issues of the risk log (priority or activity), worst score first.
    open_risks: list[RaidEntry] = field(default_factory=list)
    #: Decisions of the risk log still open (not closed): what the next chair must decide.
    open_decisions: list[RaidEntry] = field(default_factory=list)


def handover_pack(presidency: Presidency, today: dt.date) -> HandoverPack:
    """What the next presidency inherits: open activities with their owners, contacts and latest report; the
    dates still awaiting a decision; what was carried over already; the commitments' outcomes."""
    from django.db.models import OuterRef, Subquery

    from tracker.models import DateBasis, ProgressUpdate

    latest = ProgressUpdate.objects.filter(activity=OuterRef("pk")).exclude(note="").order_by("-created_at", "-id")
    activities = list(
        Activity.objects.filter(priority__presidency=presidency)
        .select_related("priority", "responsible_body", "lead_state", "carried_over_to__priority__presidency")
        .annotate(latest_note=Subquery(latest.values("note")[:1]), latest_at=Subquery(latest.values("created_at")[:1]))
        .order_by("priority__number", "due_date", "id")
    )
    open_ = [a for a in activities if a.status in workflow.OPEN_STATUSES]
    # The latest confidence rating of each open activity (one query; None where nobody has assessed it).
    selectors_delivery.attach_ratings(open_, period_start=presidency.period_start, today=today)
    raid = list(
        RaidEntry.objects.filter(priority__presidency=presidency)
        .exclude(status=RaidEntry.Status.CLOSED)
        .filter(kind__in=[RaidEntry.Kind.RISK, RaidEntry.Kind.ISSUE, RaidEntry.Kind.DECISION])
        .annotate(score_value=F("likelihood") * F("impact"))
        .select_related("priority", "activity")
        .order_by(F("score_value").desc(nulls_last=True), "due_date", "id")
    )
    return HandoverPack(
        presidency=presidency,
        successor=Presidency.objects.filter(predecessor=presidency).select_related("chair_state").first(),
        open_activities=open_,
        pending_decisions=[a for a in open_ if a.date_basis != DateBasis.DECISION],
        handed_over=[a for a in activities if a.status == Status.HANDED_OVER],
        commitments=declared_vs_delivered(presidency, today),
        open_risks=[e for e in raid if e.kind != RaidEntry.Kind.DECISION],
        open_decisions=[e for e in raid if e.kind == RaidEntry.Kind.DECISION],
    )
