"""The rules of an activity write, worked out in memory: what the activity becomes, whether that is a new
version, which progress-log row and which outbox events it makes.

Both writers carry out the same plan: the item-by-item services (tracker/services/agenda.py) save it one
row at a time, the set-based bulk path (tracker/services/bulk.py) a whole batch per statement. Nothing here
reads or writes the database, except the caller's own checks of permissions through tracker/permissions.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from tracker import clock, events, logtext, permissions, workflow
from tracker.errors import InvalidInput
from tracker.models import Activity, Channel, DateBasis, MemberState, Milestone, ProgressUpdate
from tracker.permissions import Actor
from tracker.validators import multi_line
from tracker.workflow import Status

#: Fields a caller may set on an activity. Status changes go through the workflow even when set here.
ACTIVITY_FIELDS: frozenset[str] = frozenset({
    "code", "priority", "title", "title_ru", "description", "description_ru", "kind", "status",
    "start_date", "due_date", "progress", "responsible_body", "lead_state", "participating_states",
    "location", "external_source", "external_id", "source_quote", "date_basis", "date_basis_note",
    "date_basis_note_ru", "owner",
})
#: Dates whose change by anyone but the tracker itself makes them that writer's decision.
DATE_FIELDS = frozenset({"start_date", "due_date"})
M2M_FIELDS = frozenset({"participating_states"})
#: The changes after which the successors of an activity may start waiting (schedule.dates_changed).
SCHEDULE_FIELDS = frozenset({"due_date", "start_date", "status"})
#: The fields whose change the progress log records.
LOGGED_FIELDS = ("status", "progress", "due_date")
_BLANK_AS_EMPTY = frozenset({"title_ru", "description", "description_ru", "location"})


@dataclass
class Change:
    """One activity write, planned: the activity holds its new values; the rest says what to record."""

    activity: Activity
    actor: Actor
    created: bool
    note: str = ""
    event: str = ""
    event_params: Mapping[str, Any] | None = None
    before: dict[str, Any] = field(default_factory=dict)  # the logged fields before; empty for a new activity
    stored: dict[str, Any] = field(default_factory=dict)  # every column before; empty for a new activity
    diff: set[str] = field(default_factory=set)  # the fields the caller really changed
    states: list[Any] | None = None  # the new participating states, when they change
    reopened: bool = False  # where milestones drive the progress, the writer re-derives it
    force_log: bool = False  # a report is logged even when it changes nothing
    saved: bool = False  # created, or a new version

    @property
    def status_changed(self) -> bool:
        return not self.created and self.activity.status != self.before["status"]

    def changed_columns(self) -> set[str]:
        """The columns whose value differs from the stored row (field names)."""
        return {name for name, value in field_values(self.activity).items() if self.stored.get(name) != value}

    def logged_changes(self) -> set[str]:
        return {name for name in LOGGED_FIELDS if getattr(self.activity, name) != self.before.get(name)}

    def log_row(self) -> ProgressUpdate | None:
        """The progress-log row: for a new activity, a report, or a change of status, progress or due date."""
        if not self.created and not self.force_log and not self.logged_changes():
            return None
        return log_row(
            self.activity, self.actor, before=self.before, note=self.note, event=self.event, params=self.event_params
        )

    def events(self) -> list[tuple[str, Activity, dict[str, Any] | None]]:
        """The outbox events, in the order the writers emit them."""
        activity = self.activity
        if self.created:
            return [(events.ACTIVITY_CREATED, activity, None)]
        m2m = {"participating_states"} if self.states is not None else set()
        found: list[tuple[str, Activity, dict[str, Any] | None]] = [
            (events.ACTIVITY_UPDATED, activity, {"changed": sorted(self.diff | m2m | self.logged_changes())})
        ]
        if self.status_changed:
            note = self.note or site_text(self.event, self.event_params)
            found.append((events.ACTIVITY_STATUS_CHANGED, activity,
                          {"from": self.before["status"], "to": activity.status, "note": note}))
        return found


# --- Checks before a plan -------------------------------------------------------------------------------

def check_create(actor: Actor, data: Mapping[str, Any]) -> None:
    """Who may create, and which fields a new activity may be given."""
    reject_unknown_fields(data)
    reject_outsiders(data)
    body = data.get("responsible_body")
    permissions.ensure_can_create_activity(actor, getattr(body, "pk", None))
    reject_unconfirmed_decision(data)
    if data.get("owner") is not None:
        permissions.ensure_can_own_activity(data["owner"], getattr(body, "pk", None))


def check_update(actor: Actor, locked: Activity, changes: Mapping[str, Any]) -> None:
    """Who may change `locked`, and which fields may be sent."""
    reject_unknown_fields(changes)
    permissions.ensure_can_edit_activity(actor, locked)
    reject_outsiders(changes)
    if locked.date_basis != DateBasis.DECISION:  # sending back a decision already made is no change
        reject_unconfirmed_decision(changes)
    if "responsible_body" in changes and changes["responsible_body"] is not None:
        # Moving an activity to another body needs the right to write for that body too.
        permissions.ensure_can_create_activity(actor, changes["responsible_body"].pk)
    new_owner = "owner" in changes and changes["owner"] is not None and changes["owner"].pk != locked.owner_id
    new_body = (changes.get("responsible_body") is not None
                and changes["responsible_body"].pk != locked.responsible_body_id)
    if new_owner or (new_body and locked.owner_id is not None):
        # A new owner, or the owner under a new body: they must be able to edit the activity there.
        # Not changes.get("owner", locked.owner): that would load the stored owner even when not needed.
        owner = changes["owner"] if "owner" in changes else locked.owner  # noqa: SIM401
        body_id = changes["responsible_body"].pk if new_body else locked.responsible_body_id
        permissions.ensure_can_own_activity(owner, body_id)


def check_note(note: str) -> None:
    """A note is multi-line text: the same control-character rule as descriptions (tracker/validators.py)."""
    try:
        multi_line(str(note))
    except ValidationError as exc:
        raise InvalidInput({"note": list(exc.messages)}) from None


def reject_unknown_fields(data: Mapping[str, Any]) -> None:
    unknown = set(data) - ACTIVITY_FIELDS
    if unknown:
        raise InvalidInput({name: [_("Unknown field.")] for name in sorted(unknown)})


def participation_refusal(states: Iterable[MemberState]) -> dict[str, list[str]]:
    """The one rule on who may take part: members, and non-members recorded as observers or partners."""
    outsiders = [state for state in states if not (state.is_member or state.is_observer)]
    if not outsiders:
        return {}
    return {"participating_states": [
        _("%(state)s is neither a member nor an observer of the organisation, so it cannot take part.")
        % {"state": outsiders[0].display_name}
    ]}


def reject_outsiders(data: Mapping[str, Any]) -> None:
    """Participating states, and the lead state (which takes part as the lead), must be members or observers
    (the rule: participation_refusal, below)."""
    if data.get("participating_states"):
        refusal = participation_refusal(data["participating_states"])
        if refusal:
            raise InvalidInput(refusal)
    if data.get("lead_state") is not None:
        refusal = participation_refusal([data["lead_state"]])
        if refusal:
            raise InvalidInput({"lead_state": refusal["participating_states"]})


def touches_lead(change: Change) -> bool:
    """Whether a saved change may put the lead participation out of step with `lead_state` (services/lead.py)."""
    if not change.saved:
        return False
    if change.created:
        return change.activity.lead_state_id is not None
    return "lead_state" in change.diff or change.states is not None


def reject_unconfirmed_decision(data: Mapping[str, Any]) -> None:
    """A decision records who confirmed it and when, so it is made by confirming, never typed in."""
    if data.get("date_basis") == DateBasis.DECISION:
        raise InvalidInput({"date_basis": [_(
            "A date becomes a decision when staff confirm it; set 'source' or 'assumption' here."
        )]})


# --- Plans ----------------------------------------------------------------------------------------------

def plan_activity_create(
    actor: Actor, data: Mapping[str, Any], *, now: dt.datetime, note: str = "", event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Change:
    """A new activity (checked with check_create). It may start in any status; a done one is completed today."""
    activity = Activity()
    assign(activity, {k: v for k, v in data.items() if k not in M2M_FIELDS})
    if activity.status == Status.DONE:
        complete(activity, data)
    activity.created_at = activity.updated_at = now
    change = Change(activity, actor, created=True, note=str(note), event=event, event_params=event_params,
                    saved=True)
    if "participating_states" in data:
        change.states = list(data["participating_states"])
    return change


def plan_activity_change(
    activity: Activity,
    changes: Mapping[str, Any],
    actor: Actor,
    note: str = "",
    *,
    now: dt.datetime,
    current_states: Collection[int] = (),
    force_log: bool = False,
    event: str = "",
    event_params: Mapping[str, Any] | None = None,
) -> Change:
    """Apply `changes` to `activity` in memory by the workflow's rules. `current_states` are the ids of the
    participating states now linked (needed only when the changes name them). A change that changes nothing
    is not `saved`: no new version, no log row, no event, so a client re-sending the same values makes no noise."""
    changes = dict(changes)
    change = Change(activity, actor, created=False, note=str(note), event=event, event_params=event_params,
                    force_log=force_log)
    change.before = {name: getattr(activity, name) for name in LOGGED_FIELDS}
    change.stored = field_values(activity)
    requested_status = changes.pop("status", None)
    states = changes.get("participating_states")
    if states is not None and {o.pk for o in states} != set(current_states):
        change.states = list(states)
    diff = {name: value for name, value in changes.items() if name not in M2M_FIELDS and differs(activity, name, value)}

    new_status = requested_status or activity.status
    if requested_status is None and diff.get("progress") is not None:
        new_status = workflow.status_after_progress(activity.status, diff["progress"])
    assign(activity, diff)
    if DATE_FIELDS & set(diff) and "date_basis" not in diff:
        record_decision(activity, actor)
    elif "date_basis" in diff and activity.date_basis != DateBasis.DECISION:
        # Back to the source or an assumption: nobody answers for the date as a decision any more.
        activity.date_confirmed_by, activity.date_confirmed_at = "", None
    if new_status != activity.status:
        workflow.check_transition(activity.status, new_status)
        reopening = workflow.is_reopening(activity.status, new_status)
        activity.status = new_status
        if new_status == Status.DONE:
            complete(activity, diff)
        elif reopening:
            activity.completed_date = None
            change.reopened = True
    elif activity.status == Status.DONE and diff.get("progress") not in (None, 100):
        raise InvalidInput({"progress": [_("A done activity's progress is 100; reopen it to report less.")]})

    change.diff = set(diff)
    if not diff and change.states is None and not change.status_changed and not force_log:
        return change
    activity.version += 1
    activity.updated_at = now
    activity._change_reason = change_reason(actor, change.note, event=event, params=event_params)
    change.saved = True
    return change


# --- Shared pieces --------------------------------------------------------------------------------------

def log_row(
    activity: Activity, actor: Actor, *, before: Mapping[str, Any] | None, note: str, event: str = "",
    params: Mapping[str, Any] | None = None,
) -> ProgressUpdate:
    """The one builder of a progress-log row (unsaved), stamped with the write's time."""
    before = before or {}
    return ProgressUpdate(
        activity=activity,
        presidency_id=activity.priority.presidency_id,
        user=actor.user,
        api_client=actor.api_client,
        actor_name=actor.name,
        channel=actor.channel,
        old_status=before.get("status", "") or "",
        new_status=activity.status,
        old_progress=before.get("progress"),
        new_progress=activity.progress,
        old_due_date=before.get("due_date"),
        new_due_date=activity.due_date,
        note=str(note),
        created_at=activity.updated_at,
        event=event,
        event_params=dict(params or {}),
    )


def assign(activity: Activity, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if value is None and name in _BLANK_AS_EMPTY:
            value = ""
        if name == "code" and not value:
            value = None  # blank codes are absent, not all equal to ""
        setattr(activity, name, value)


def differs(activity: Activity, name: str, value: Any) -> bool:
    model_field = Activity._meta.get_field(name)
    if model_field.many_to_one:  # compare ids, so that checking a foreign key costs no query
        return getattr(activity, model_field.attname) != (value.pk if value is not None else None)
    return getattr(activity, name) != value


def complete(activity: Activity, requested: Mapping[str, Any]) -> None:
    """Done means finished: completed today, progress 100."""
    if requested.get("progress") not in (None, 100):
        raise InvalidInput({"progress": [_("A done activity's progress is 100.")]})
    activity.progress = 100
    activity.completed_date = clock.today()


def record_decision(item: Activity | Milestone, actor: Actor, *, force: bool = False) -> None:
    """Mark `item`'s date as `actor`'s decision. Without `force`, only dates that already carry a basis
    change it (a moved date is no longer the seed's assumption), and never for the tracker itself."""
    if not force and (not item.date_basis or actor.channel == Channel.SYSTEM):
        return
    item.date_basis = DateBasis.DECISION
    item.date_confirmed_by = actor.name
    item.date_confirmed_at = clock.now()


def change_reason(actor: Actor, note: str, *, event: str = "", params: Mapping[str, Any] | None = None) -> str:
    """The history record's reason as data (who, the tracker's event, the start of the note), worded when
    read (tracker/logtext.py). The column holds 100 characters; the whole note is in the ProgressUpdate log."""
    return logtext.change_reason(channel=actor.channel, actor=actor.name, event=event, params=params, note=str(note))


def site_text(event: str, params: Mapping[str, Any] | None) -> str:
    """An event's sentence in the site's language, for payloads read by other systems (webhooks)."""
    with translation.override(settings.LANGUAGE_CODE):
        return logtext.describe(event, params)


def field_values(instance: Activity) -> dict[str, Any]:
    return {f.name: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
