"""The activity lists and rows the board, the API and the exports read.

Each read costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from django.db import router
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from tracker import clock, shape, workflow
from tracker.models import (
    Activity,
    MemberState,
    Milestone,
    Presidency,
    ProgressUpdate,
)
from tracker.selectors.arrays import SPLIT_PAIRS, CompiledRows, id_array, pair_array


def activity_list(*, presidency: Presidency | None = None) -> QuerySet[Activity]:
    """Activities with what a card or a list row shows, in a fixed number of queries."""
    qs = Activity.objects.select_related(
        "priority", "priority__presidency", "responsible_body", "lead_state", "owner"
    ).prefetch_related("participating_states")
    if presidency is not None:
        qs = qs.filter(priority__presidency=presidency)
    return qs


def activity_records() -> QuerySet[Activity]:
    """Activities as the API represents them: references as ids, so only the priority (for its presidency's
    id) is joined and only the participating states' ids are fetched. Two queries for any page."""
    return Activity.objects.select_related(
        "priority__presidency", "responsible_body", "lead_state"
    ).prefetch_related(Prefetch("participating_states", queryset=MemberState.objects.only("id", "code")))


#: The activity's own columns, as `QuerySet.values()` names them: what the API's representation reads.
#: The stored columns of an API row (tracker/shape.py declares them).
ACTIVITY_COLUMNS = shape.STORED_COLUMNS


def activity_rows(activities: QuerySet[Activity]) -> QuerySet:
    """`activities` (filtered and ordered) as plain rows: ACTIVITY_COLUMNS, `presidency_id`, and whatever
    the order sorts by, so a page can be read and linked onward without building model instances."""
    ordered_by = [t.lstrip("-") for t in activities.query.order_by if isinstance(t, str)]
    extra = [path for path in ordered_by if path not in ACTIVITY_COLUMNS and path != "pk"]
    return activities.values(
        *ACTIVITY_COLUMNS, *extra, presidency_id=F("priority__presidency_id"),
        # The related rows' codes (the API's `codes`), joined in the same query.
        presidency_code=F("priority__presidency__code"), priority_number=F("priority__number"),
        responsible_body_code=F("responsible_body__code"), lead_state_code=F("lead_state__code"),
    )


#: The participating states' order (members first, by name) as seen from the through table.
_STATES_ORDER = [f"{'-' if term.startswith('-') else ''}memberstate__{term.lstrip('-')}"
                 for term in MemberState._meta.ordering]


def _states_in_order(column: str) -> QuerySet:
    """`column` of the activity's participating states, in the states' order (members first, by name), read
    from the through table's (activity_id) index: the inner query of a column of the activity's own row."""
    through = Activity.participating_states.through
    return through.objects.filter(activity_id=OuterRef("pk")).order_by(*_STATES_ORDER, "memberstate_id").values(column)


def _state_ids_column(using: str) -> Subquery:
    """The activity's participating states' ids as one column of its own row, in the states' order: a page of
    rows and their states is one statement (docs/performance.md)."""
    return id_array(_states_in_order("memberstate_id"), "memberstate_id", using)


def _state_codes_column(using: str) -> Subquery:
    """The same states' codes (the API's `codes`), in the same order, as a second column of the row."""
    return id_array(_states_in_order("memberstate__code"), "memberstate__code", using)


def activity_rows_with_states(activities: QuerySet[Activity], *, paired: bool = False) -> QuerySet:
    """activity_rows() plus `state_ids` and `state_codes`, each row's participating states' ids and codes: a
    page in one statement. `paired` reads both from one subquery as `state_pairs`, for reads whose rows go
    through arrays.row_dicts (which splits it into the same two lists): the compiled API reads."""
    if paired:
        through = Activity.participating_states.through
        inner = through.objects.filter(activity_id=OuterRef("pk")).order_by(*_STATES_ORDER, "memberstate_id")
        return activity_rows(activities).annotate(
            state_pairs=pair_array(inner, "memberstate_id", "memberstate__code", activities.db))
    return activity_rows(activities).annotate(
        state_ids=_state_ids_column(activities.db), state_codes=_state_codes_column(activities.db))


SPLIT_PAIRS["state_pairs"] = ("state_ids", "state_codes")
_ONE_ACTIVITY = CompiledRows(lambda pk: activity_rows_with_states(Activity.objects.filter(pk=pk), paired=True))


def activity_row(activity_id: int) -> dict | None:
    """One activity as activity_rows_with_states() gives it, or None: one statement, compiled once."""
    if not -(2**63) <= activity_id < 2**63:
        return None  # no such id can exist (and the database would refuse to compare it)
    using = router.db_for_read(Activity)
    rows = _ONE_ACTIVITY.rows(activity_id, using)
    return rows[0] if rows else None


def participating_state_ids(activity_ids: list[int]) -> dict[int, list[int]]:
    """Each activity's participating states' ids, in the states' own order (members first, by name). One
    query."""
    through = Activity.participating_states.through
    order = [f"{'-' if term.startswith('-') else ''}memberstate__{term.lstrip('-')}"
             for term in MemberState._meta.ordering]
    found: dict[int, list[int]] = {}
    rows = through.objects.filter(activity_id__in=activity_ids).order_by(*order, "memberstate_id")
    for activity_id, state_id in rows.values_list("activity_id", "memberstate_id"):
        found.setdefault(activity_id, []).append(state_id)
    return found


def participating_states_of(activity_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """participating_state_ids with each state's code: (id, code) pairs in the same order. One query."""
    through = Activity.participating_states.through
    order = [f"{'-' if term.startswith('-') else ''}memberstate__{term.lstrip('-')}"
             for term in MemberState._meta.ordering]
    found: dict[int, list[tuple[int, str]]] = {}
    rows = through.objects.filter(activity_id__in=activity_ids).order_by(*order, "memberstate_id")
    for activity_id, state_id, code in rows.values_list("activity_id", "memberstate_id", "memberstate__code"):
        found.setdefault(activity_id, []).append((state_id, code))
    return found


def activity_detail(activity_id: int) -> Activity:
    """One activity with its milestones and states; raises Activity.DoesNotExist."""
    return (
        activity_list()
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("order", "id")), "contributors")
        .get(pk=activity_id)
    )


def upcoming_deadlines(presidency: Presidency, today: dt.date | None = None, limit: int = 10) -> list[Activity]:
    """The next open deadlines from today on, soonest first."""
    today = today or clock.today()
    return list(
        activity_list(presidency=presidency)
        .filter(due_date__gte=today, status__in=list(workflow.OPEN_STATUSES))
        .order_by("due_date", "id")[:limit]
    )


def overdue_activities(presidency: Presidency, today: dt.date | None = None,
                       limit: int | None = None) -> QuerySet[Activity]:
    """Overdue activities, the longest overdue first; with `limit`, only the first `limit` of them."""
    today = today or clock.today()
    overdue = activity_list(presidency=presidency).filter(workflow.overdue_q(today)).order_by("due_date", "id")
    if limit is None:
        return overdue
    # Two statements: the first `limit` ids, ranked inside the presidency's own rows (an index-only range of
    # activity_priority_figures), then those rows. `ORDER BY due_date LIMIT n` walked every presidency's
    # deadlines from the oldest, and as one statement PostgreSQL read the whole table around the ids (0.3-0.5 s
    # at 100,000, docs/performance.md).
    first = list(Activity.objects.filter(priority__presidency=presidency).filter(workflow.overdue_q(today))
                 .annotate(rank=Window(RowNumber(), order_by=[F("due_date").asc(), F("id").asc()]))
                 .filter(rank__lte=limit).values_list("pk", flat=True))
    return activity_list().filter(pk__in=first).order_by("due_date", "id")


def recent_updates(presidency: Presidency, limit: int = 10) -> list[ProgressUpdate]:
    return list(
        ProgressUpdate.objects.filter(presidency=presidency)  # its own indexed column
        .select_related("activity", "activity__priority")
        .order_by("-created_at", "-id")[:limit]
    )


def activity_log(activity: Activity, limit: int = 50) -> list[ProgressUpdate]:
    """The activity's progress updates, newest first. One query."""
    return list(activity.progress_updates.order_by("-created_at", "-id")[:limit])
