"""Reads of the secretariat's rhythm. Each function runs a fixed number of queries whatever the number of
activities, assessments or risks; `today` is injectable for deterministic tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from tracker import clock, workflow
from tracker.jobs.risk import expected_progress
from tracker.models import Activity, ConfidenceAssessment, Presidency, Priority, RaidEntry, Rating, Stocktake
from tracker.models.delivery import RATING_RANK, RATING_SHAPE
from tracker.workflow import Status

HISTORY_SHOWN = 6
LIST_LIMIT = 10
#: The ratings that claim delivery is on course; the tracker's own signals may contradict them.
CONFIDENT = frozenset({Rating.GREEN, Rating.AMBER_GREEN})


@dataclass
class RatingView:
    """What a card, a page or the API shows of a subject's confidence: the current assessment and the trend."""

    current: ConfidenceAssessment
    previous: ConfidenceAssessment | None = None
    disagreements: list[str] = field(default_factory=list)

    @property
    def rating(self) -> str:
        return self.current.rating

    @property
    def label(self) -> str:
        return self.current.get_rating_display()

    @property
    def shape(self) -> str:
        return RATING_SHAPE[self.current.rating]

    @property
    def trend(self) -> str:
        """"up" (more confident), "down", "same", or "new" (no earlier assessment)."""
        if self.previous is None:
            return "new"
        before, now = RATING_RANK[self.previous.rating], RATING_RANK[self.current.rating]
        return "up" if now < before else "down" if now > before else "same"

    @property
    def trend_arrow(self) -> str:
        return {"up": "↑", "down": "↓", "same": "→", "new": "•"}[self.trend]

    @property
    def trend_label(self) -> str:
        return {"up": _("improved"), "down": _("fell"), "same": _("unchanged"), "new": _("first rating")}[self.trend]


def behind_pace(activity: Activity, period_start: dt.date, today: dt.date) -> bool:
    """More than AT_RISK_MARGIN points behind the straight line to the due date (as tracker/jobs/risk.py)."""
    if activity.status in workflow.CLOSED_STATUSES or activity.due_date is None:
        return False
    start = min(activity.start_date or period_start, activity.due_date)
    expected = expected_progress(start=start, due=activity.due_date, today=today)
    return expected - activity.progress > settings.AT_RISK_MARGIN


def disagreements(activity: Activity, rating: str, *, period_start: dt.date, today: dt.date) -> list[str]:
    """Where the tracker's own signals contradict a confident rating, each said in words."""
    if rating not in CONFIDENT:
        return []
    found = []
    overdue = workflow.is_overdue(status=activity.status, due_date=activity.due_date, today=today)
    if overdue:
        found.append(_("rated %(rating)s, but overdue") % {"rating": Rating(rating).label})
    if activity.status in (Status.AT_RISK, Status.BLOCKED):
        found.append(_("rated %(rating)s, but its status is %(status)s") % {
            "rating": Rating(rating).label, "status": workflow.label(activity.status)})
    elif not overdue and behind_pace(activity, period_start, today):  # overdue says it already
        found.append(_("rated %(rating)s, but behind its pace (%(progress)s%% done)") % {
            "rating": Rating(rating).label, "progress": activity.progress})
    return found


def _latest_two(subject: str, ids: list[int]) -> dict[int, list[ConfidenceAssessment]]:
    """The two latest assessments of each subject (activity or priority ids). One query."""
    if not ids:
        return {}
    rows = (
        ConfidenceAssessment.objects.filter(**{f"{subject}_id__in": ids})
        .annotate(recency=Window(RowNumber(), partition_by=[F(f"{subject}_id")],
                              order_by=[F("created_at").desc(), F("id").desc()]))
        .filter(recency__lte=2)
        .order_by(f"{subject}_id", "recency")
    )
    found: dict[int, list[ConfidenceAssessment]] = {}
    for row in rows:
        found.setdefault(getattr(row, f"{subject}_id"), []).append(row)
    return found


def ratings_for_activities(
    activities: list[Activity], *, period_start: dt.date, today: dt.date | None = None
) -> dict[int, RatingView]:
    today = today or clock.today()
    found = _latest_two("activity", [a.pk for a in activities])
    by_id = {a.pk: a for a in activities}
    return {
        pk: RatingView(current=rows[0], previous=rows[1] if len(rows) > 1 else None,
                       disagreements=disagreements(by_id[pk], rows[0].rating, period_start=period_start, today=today))
        for pk, rows in found.items()
    }


def attach_ratings(activities: list[Activity], *, period_start: dt.date, today: dt.date | None = None) -> None:
    """Set `.confidence` (a RatingView or None) on each activity. One query."""
    views = ratings_for_activities(activities, period_start=period_start, today=today)
    for activity in activities:
        activity.confidence = views.get(activity.pk)


def ratings_for_priorities(priority_ids: list[int]) -> dict[int, RatingView]:
    return {pk: RatingView(current=rows[0], previous=rows[1] if len(rows) > 1 else None)
            for pk, rows in _latest_two("priority", priority_ids).items()}


def assessment_history(*, activity: Activity | None = None, priority: Priority | None = None,
                       limit: int = HISTORY_SHOWN) -> list[ConfidenceAssessment]:
    qs = ConfidenceAssessment.objects.filter(activity=activity) if activity else ConfidenceAssessment.objects.filter(
        priority=priority)
    return list(qs.order_by("-created_at", "-id")[:limit])


def assessments() -> QuerySet[ConfidenceAssessment]:
    return ConfidenceAssessment.objects.select_related("activity", "priority").order_by("-created_at", "-id")


def _superseded() -> Exists:
    newer = ConfidenceAssessment.objects.filter(
        Q(activity_id=OuterRef("activity_id"), activity__isnull=False)
        | Q(priority_id=OuterRef("priority_id"), priority__isnull=False),
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id")),
    )
    return Exists(newer)


def overdue_reviews(presidency: Presidency, today: dt.date | None = None,
                    limit: int = LIST_LIMIT) -> list[ConfidenceAssessment]:
    """Current assessments whose next review date has passed, oldest first. One query."""
    today = today or clock.today()
    in_presidency = Q(activity__priority__presidency=presidency) | Q(priority__presidency=presidency)
    return list(
        ConfidenceAssessment.objects.filter(in_presidency, next_review__lt=today)
        .exclude(_superseded())
        .select_related("activity", "priority")
        .order_by("next_review", "id")[:limit]
    )


def current_overdue_reviews(today: dt.date) -> QuerySet[ConfidenceAssessment]:
    """Every current assessment whose review is overdue, for the reminder job."""
    return (ConfidenceAssessment.objects.filter(next_review__lt=today).exclude(_superseded())
            .select_related("activity__responsible_body", "priority", "assessor__staff_profile"))


# --- The risk log --------------------------------------------------------------------------------------------

def _open_raid() -> QuerySet[RaidEntry]:
    return RaidEntry.objects.exclude(status=RaidEntry.Status.CLOSED)


def raid_entries() -> QuerySet[RaidEntry]:
    return RaidEntry.objects.select_related("priority", "activity").annotate(
        score_value=F("likelihood") * F("impact")).order_by("-created_at", "-id")


def raid_for_attention(presidency: Presidency, *, priority: Priority | None = None,
                       limit: int = LIST_LIMIT) -> list[RaidEntry]:
    """Open entries that are escalated or score high, worst first. One query."""
    qs = _open_raid().filter(priority__presidency=presidency).annotate(score_value=F("likelihood") * F("impact"))
    if priority is not None:
        qs = qs.filter(priority=priority)
    qs = qs.filter(Q(escalated=True) | Q(kind=RaidEntry.Kind.RISK, score_value__gte=settings.RAID_HIGH_SCORE))
    return list(qs.select_related("priority", "activity").order_by(F("score_value").desc(nulls_last=True),
                                                                     "-id")[:limit])


def raid_log(priority: Priority, limit: int = 100) -> list[RaidEntry]:
    return list(RaidEntry.objects.filter(priority=priority).select_related("activity")
                .order_by("status", "-created_at", "-id")[:limit])


def heat_map(priority: Priority) -> list[list[dict[str, Any]]]:
    """A 5x5 grid of open risks by likelihood (rows, 5 at the top) and impact (columns). One query."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in _open_raid().filter(priority=priority, kind=RaidEntry.Kind.RISK, likelihood__isnull=False,
                                       impact__isnull=False)
        .values("likelihood", "impact").annotate(n=Count("id")).order_by()
    }
    high = settings.RAID_HIGH_SCORE
    return [
        [{"likelihood": likelihood, "impact": impact, "count": counts.get((likelihood, impact), 0),
          "score": likelihood * impact,
          "band": "high" if likelihood * impact >= high else "medium" if likelihood * impact >= 6 else "low"}
         for impact in range(1, 6)]
        for likelihood in range(5, 0, -1)
    ]


# --- Stocktakes ----------------------------------------------------------------------------------------------

def stocktake_scope(stocktake: Stocktake) -> QuerySet[Activity]:
    qs = Activity.objects.filter(priority__presidency_id=stocktake.presidency_id)
    if stocktake.priority_id:
        qs = qs.filter(priority_id=stocktake.priority_id)
    return qs.select_related("priority", "responsible_body").order_by("priority__order", "priority__number",
                                                                      "due_date", "id")


def _previous_ratings(stocktake: Stocktake) -> dict[str, str]:
    """Ratings by activity id (as text, JSON's keys) at the last closed stocktake of the same scope."""
    previous = (Stocktake.objects.filter(presidency_id=stocktake.presidency_id, priority_id=stocktake.priority_id,
                                         status=Stocktake.Status.CLOSED)
                .exclude(pk=stocktake.pk).order_by("-held_on", "-id").values_list("snapshot", flat=True).first())
    return {str(row["id"]): row.get("rating") or "" for row in (previous or {}).get("activities", [])}


def stocktake_snapshot(stocktake: Stocktake, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the stocktake screen shows, as plain data: frozen into a closed stocktake. Five queries."""
    today = today or clock.today()
    presidency = stocktake.presidency
    activities = list(stocktake_scope(stocktake))
    views = ratings_for_activities(activities, period_start=presidency.period_start, today=today)
    before = _previous_ratings(stocktake)
    rows = []
    for activity in activities:
        view = views.get(activity.pk)
        rating = view.rating if view else ""
        earlier = before.get(str(activity.pk), "")
        if not earlier or not rating:
            change = "new" if rating and not earlier else ""
        else:
            change = ("up" if RATING_RANK[rating] < RATING_RANK[earlier]
                      else "down" if RATING_RANK[rating] > RATING_RANK[earlier] else "same")
        rows.append({
            "id": activity.pk, "title": activity.display_title, "priority": activity.priority.number,
            "body": activity.responsible_body.display_name, "status": activity.status,
            "status_label": workflow.label(activity.status), "progress": activity.progress,
            "due_date": activity.due_date.isoformat() if activity.due_date else None,
            "overdue": workflow.is_overdue(status=activity.status, due_date=activity.due_date, today=today),
            "due_soon": workflow.is_due_soon(status=activity.status, due_date=activity.due_date, today=today,
                                             within_days=settings.AGENDA_DUE_SOON_DAYS),
            "rating": rating, "rating_label": str(Rating(rating).label) if rating else "",
            "rating_shape": RATING_SHAPE.get(rating, ""), "previous_rating": earlier, "change": change,
            "disagreements": view.disagreements if view else [],
        })
    raid = _open_raid().filter(priority__presidency=presidency).annotate(score_value=F("likelihood") * F("impact"))
    if stocktake.priority_id:
        raid = raid.filter(priority_id=stocktake.priority_id)
    risks = raid.filter(Q(escalated=True) | Q(kind=RaidEntry.Kind.RISK,
                                               score_value__gte=settings.RAID_HIGH_SCORE))
    asked = raid.filter(kind=RaidEntry.Kind.DECISION)

    def raid_row(entry: RaidEntry) -> dict[str, Any]:
        return {"id": entry.pk, "kind": entry.kind, "kind_label": entry.get_kind_display(),
                "statement": entry.statement, "owner": entry.owner, "score": entry.score,
                "escalated": entry.escalated, "priority": entry.priority.number,
                "due_date": entry.due_date.isoformat() if entry.due_date else None}

    return {
        "today": today.isoformat(),
        "activities": rows,
        "risks": [raid_row(e) for e in risks.select_related("priority").order_by(
            F("score_value").desc(nulls_last=True), "id")[:50]],
        "decisions_asked": [raid_row(e) for e in asked.select_related("priority").order_by("due_date", "id")[:50]],
    }


def stocktake_view(stocktake: Stocktake, today: dt.date | None = None) -> dict[str, Any]:
    """The screen's data: frozen for a closed stocktake, live for an open one."""
    return stocktake.snapshot if stocktake.is_closed and stocktake.snapshot else stocktake_snapshot(stocktake, today)


def stocktakes(presidency: Presidency, limit: int = 50) -> list[Stocktake]:
    return list(Stocktake.objects.filter(presidency=presidency).select_related("priority")[:limit])


# --- Reports, digests and exports -------------------------------------------------------------------------------

def rating_trends(presidency: Presidency, limit: int = 12) -> dict[int, list[ConfidenceAssessment]]:
    """Each priority's assessments over the year, oldest first (at most `limit` latest). One query."""
    rows = (
        ConfidenceAssessment.objects.filter(priority__presidency=presidency)
        .annotate(recency=Window(RowNumber(), partition_by=[F("priority_id")],
                                 order_by=[F("created_at").desc(), F("id").desc()]))
        .filter(recency__lte=limit)
        .order_by("priority_id", "created_at", "id")
    )
    found: dict[int, list[ConfidenceAssessment]] = {}
    for row in rows:
        found.setdefault(row.priority_id, []).append(row)
    return found


def ratings_that_fell(activity_ids: QuerySet, since: dt.datetime, limit: int = 50) -> list[ConfidenceAssessment]:
    """Assessments recorded since `since` that rate an activity lower than the one before. Two queries."""
    recent = list(
        ConfidenceAssessment.objects.filter(activity_id__in=activity_ids, created_at__gte=since)
        .select_related("activity").order_by("-created_at", "-id")[:limit]
    )
    if not recent:
        return []
    earlier = ConfidenceAssessment.objects.filter(
        activity_id=OuterRef("activity_id"), created_at__lt=OuterRef("created_at")).order_by("-created_at", "-id")
    before = dict(ConfidenceAssessment.objects.filter(pk__in=[a.pk for a in recent])
                  .annotate(previous=Subquery(earlier.values("rating")[:1])).values_list("pk", "previous"))
    fell = []
    for assessment in recent:
        previous = before.get(assessment.pk)
        if previous and RATING_RANK[assessment.rating] > RATING_RANK[previous]:
            assessment.previous_rating = previous
            assessment.previous_label = str(Rating(previous).label)
            fell.append(assessment)
    return fell


def assessment_rows(presidency: Presidency) -> QuerySet[ConfidenceAssessment]:
    in_presidency = Q(activity__priority__presidency=presidency) | Q(priority__presidency=presidency)
    return (ConfidenceAssessment.objects.filter(in_presidency).select_related("activity", "priority")
            .order_by("created_at", "id"))


def raid_rows(presidency: Presidency) -> QuerySet[RaidEntry]:
    return RaidEntry.objects.filter(priority__presidency=presidency).select_related("priority", "activity").order_by(
        "priority__number", "id")
