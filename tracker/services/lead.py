"""The one rule that ties an activity's `lead_state` to its participation records: the lead state is the state
whose participation has the role "lead", and an activity has at most one.

Every writer goes through here: the activity services (item by item and bulk) after they save `lead_state` or
the participating states, and the participation services (tracker/services/commitments.py) before they save a
role, so that either door (the activity's lead field or a participation's role) moves the other.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.models import Activity, Participation

LEAD = Participation.Role.LEAD
#: What a former lead becomes: it still takes part, only no longer leads.
FORMER_LEAD = Participation.Role.PARTICIPANT


def align(activities: Iterable[Activity]) -> None:
    """Make the participation records follow each activity's saved `lead_state`: the lead state's record
    (made if missing) has the role lead, any other record with that role becomes a participant. A fixed
    number of queries for any number of activities (one read, at most two updates and one insert)."""
    wanted = {a.pk: a.lead_state_id for a in activities}
    if not wanted:
        return
    rows = Participation.objects.filter(activity_id__in=wanted).filter(
        role=LEAD
    ) | Participation.objects.filter(activity_id__in=wanted, memberstate_id__in=[s for s in wanted.values() if s])
    demote: list[int] = []
    promote: list[int] = []
    have: set[tuple[int, int]] = set()
    for pk, activity_id, state_id, role in rows.values_list("pk", "activity_id", "memberstate_id", "role"):
        have.add((activity_id, state_id))
        lead = wanted[activity_id]
        if state_id == lead and role != LEAD:
            promote.append(pk)
        elif state_id != lead and role == LEAD:
            demote.append(pk)
    if demote:
        Participation.objects.filter(pk__in=demote).update(role=FORMER_LEAD)
    if promote:
        Participation.objects.filter(pk__in=promote).update(role=LEAD)
    missing = [Participation(activity_id=activity_id, memberstate_id=state_id, role=LEAD)
               for activity_id, state_id in wanted.items() if state_id and (activity_id, state_id) not in have]
    if missing:
        Participation.objects.bulk_create(missing)


def lead_after(activity: Activity, participation: Participation, *, deleted: bool = False) -> int | None:
    """The activity's lead state once `participation` is saved (or deleted): it leads when its role is lead;
    a record of the current lead that stops leading (or goes) leaves the activity without one."""
    if not deleted and participation.role == LEAD:
        return participation.memberstate_id
    if participation.memberstate_id == activity.lead_state_id:
        return None
    return activity.lead_state_id
