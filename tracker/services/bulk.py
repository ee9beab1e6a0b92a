"""The set-based path of services.activities_bulk_upsert: a bulk request in a bounded number of queries.

Every item follows the same rules, in the same order, as activity_upsert_by_ref (permissions, the workflow,
validation, versions, the progress log, field history and outbox events); only the reads and writes are
batched: one locking read for the whole batch, one query per kind of check, one write per table.

Batches this path cannot mirror exactly raise NeedsItemByItem before anything is written (the service then
runs the items one by one): a reference or code named twice, a reopening that re-derives progress from
milestones, an empty reference, moved dates of an activity that has successors.
services.activities_bulk_upsert is the only caller.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, Q

from tracker import clock, dbcopy, events, history
from tracker.errors import BulkInvalid, DomainError, InvalidInput
from tracker.models import Activity, Body, Dependency, MemberState, Milestone, Priority, ProgressUpdate
from tracker.permissions import Actor
from tracker.services import lead, planner, store
from tracker.services.planner import Change

_Through = Activity.participating_states.through
_FK_MODELS = {"priority": Priority, "responsible_body": Body, "lead_state": MemberState}
#: Columns a bulk_update always writes: the workflow may change them even when the item does not name them.
_ALWAYS_SAVED = ("version", "updated_at", "status", "progress", "completed_date")
_COLUMNS = frozenset(f.name for f in Activity._meta.concrete_fields)
#: Above this many distinct sets of new values, one bulk_update beats one UPDATE per set.
_MAX_UPDATE_GROUPS = 20


class NeedsItemByItem(Exception):
    """This batch needs the per-item path to keep its exact sequential meaning."""


@dataclass
class _Plan:
    """One item's planned change, with what the batch needs to carry it out."""

    index: int
    change: Change
    states: list[int] | None = None  # the new participating states' ids, when they change
    old_links: list[tuple[int, int]] = field(default_factory=list)  # (through id, state id) before the change
    errors: dict[str, list[str]] = field(default_factory=dict)
    planned: set[str] = field(default_factory=set)  # an update's changed columns as planned, before validation

    @property
    def activity(self) -> Activity:
        return self.change.activity

    @property
    def created(self) -> bool:
        return self.change.created


def upsert_by_ref(*, actor: Actor, items: Sequence[Mapping[str, Any]], note: str) -> list[tuple[Activity, bool]]:
    """Upsert `items` (each with external_source and external_id) by reference; see services."""
    note = str(note)
    if not items:
        return []
    refs = [(item.get("external_source", ""), item.get("external_id", "")) for item in items]
    if len(set(refs)) != len(refs) or not all(s and r for s, r in refs):
        raise NeedsItemByItem()  # the second of two equal refs must see the first one's write

    now = clock.now()  # one "updated" time for the batch: rows with equal changes share one UPDATE
    existing = _lock_existing(refs)
    links = _links(existing.values())
    plans: list[_Plan] = []
    failures: dict[int, dict[str, list[str]]] = {}
    codes: dict[int, str] = {}
    for index, (item, ref) in enumerate(zip(items, refs, strict=True)):
        data = {k: v for k, v in item.items() if k not in ("external_source", "external_id")}
        try:
            if ref in existing:
                plan = _plan_update(index, existing[ref], actor, data, links, note, now)
            else:
                plan = _plan_create(index, actor, {**data, "external_source": ref[0], "external_id": ref[1]}, note, now)
        except DomainError as exc:
            failures[index], codes[index] = exc.field_errors(), exc.code
            continue
        plans.append(plan)

    _no_milestones([p for p in plans if p.change.reopened])
    saved = [p for p in plans if p.change.saved]
    for plan in saved:
        if not plan.created:  # compared column by column once for the two checks below (500 rows of 30 columns)
            plan.planned = plan.change.changed_columns()
    _no_successors([p for p in saved if not p.created and planner.SCHEDULE_FIELDS & p.planned])
    related = _validate(saved)
    for plan in saved:
        if plan.errors:
            failures[plan.index], codes[plan.index] = plan.errors, InvalidInput.code
    if failures:
        raise BulkInvalid(dict(sorted(failures.items())), codes)

    _write(saved, related)
    by_index = {p.index: (p.activity, p.created) for p in plans}
    return [by_index[i] for i in range(len(items))]


# --- Reading -------------------------------------------------------------------------------------------

def _lock_existing(refs: list[tuple[str, str]]) -> dict[tuple[str, str], Activity]:
    """The batch's existing activities, locked, in one query. Unlike _lock, the priority and presidency
    come from one shared query later (_existing_related): joining them to 500 rows costs more than the rest."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, ref in refs:
        by_source[source].append(ref)
    match = Q()
    for source, ids in by_source.items():
        match |= Q(external_source=source, external_id__in=ids)
    rows = Activity.objects.select_for_update().filter(match).order_by("pk")  # one lock order for all batches
    return {(a.external_source, a.external_id): a for a in rows}


def _links(activities: Any) -> dict[int, list[tuple[int, int]]]:
    """The participating-state rows of the existing activities: the history snapshots every saved
    version, and items that send participating_states are compared with them."""
    ids = [a.pk for a in activities]
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if ids:
        rows = _Through.objects.filter(activity_id__in=dbcopy.ids(ids, _Through)).order_by("pk")
        for pk, activity_id, state_id in rows.values_list("pk", "activity_id", "memberstate_id"):
            found[activity_id].append((pk, state_id))
    return found


# --- Planning: the planner's rules, the same as the item-by-item path's -------------------------------

def _plan_create(index: int, actor: Actor, data: dict[str, Any], note: str, now: dt.datetime) -> _Plan:
    planner.check_create(actor, data)
    change = planner.plan_activity_create(actor, data, now=now, note=note)
    plan = _Plan(index=index, change=change)
    if change.states is not None:
        plan.states = _state_ids(change.states)
    return plan


def _plan_update(
    index: int, locked: Activity, actor: Actor, changes: dict[str, Any],
    links: Mapping[int, list[tuple[int, int]]], note: str, now: dt.datetime,
) -> _Plan:
    planner.check_update(actor, locked, changes)
    old_links = list(links.get(locked.pk, []))
    change = planner.plan_activity_change(
        locked, changes, actor, note, now=now, current_states=[s for _pk, s in old_links]
    )
    plan = _Plan(index=index, change=change, old_links=old_links)
    if change.states is not None:
        plan.states = _state_ids(change.states)
    return plan


def _no_milestones(reopened: list[_Plan]) -> None:
    """A reopened activity with milestones takes its progress from them (store.sync_progress_from_milestones);
    such a rare batch goes item by item. Reopenings are rare, so the common batch spends no query here."""
    if reopened and Milestone.objects.filter(activity_id__in=[p.activity.pk for p in reopened]).exists():
        raise NeedsItemByItem()


def _no_successors(moved: list[_Plan]) -> None:
    """An activity whose dates or status move tells its successors' watchers when they start waiting
    (schedule.dates_changed, after each item's save); a batch that moves a predecessor goes item by item, so
    the notices and their events come as they would. A sync rarely moves one: one query when dates move."""
    if moved and Dependency.objects.filter(predecessor_id__in=[p.activity.pk for p in moved]).exists():
        raise NeedsItemByItem()


def _state_ids(states: Any) -> list[int]:
    """The ids in the order ManyRelatedManager.set() inserts them (it works on sets of ids)."""
    return list({s.pk for s in states})


# --- Validation: full_clean's checks, with its per-row queries done once for the batch ----------------

def _validate(plans: list[_Plan]) -> dict[str, dict[int, Any]]:
    """Fill each plan's `errors` as store.validate would report them. Returns the related rows' codes
    (events.RelatedCodes, the owners' still missing): the events' representations are built from them."""
    known, codes = _existing_related(plans)
    for plan in plans:
        activity = plan.activity
        trusted = [name for name in _FK_MODELS if getattr(activity, f"{name}_id") in known[name]]
        # As store.validate: a new activity's fields are all checked, an existing one's only where they change
        # (the stored values passed when they were written); clean() still judges the whole activity.
        unchanged = set() if plan.created else _COLUMNS - plan.planned
        try:
            # Related rows known to exist skip their per-row query; unknown ones are checked by Django itself.
            activity.full_clean(
                exclude=["participating_states", "watchers", *trusted, *unchanged],
                validate_unique=False, validate_constraints=False,
            )
        except ValidationError as exc:
            plan.errors = store.validation_errors(exc)
    _check_codes(plans)
    return codes


def _existing_related(plans: list[_Plan]) -> tuple[dict[str, set[int]], dict[str, dict[int, Any]]]:
    """Which of the batch's related ids exist, and their codes. Priorities come with their presidency, which
    clean() reads, and are shared by the activities that have none loaded yet."""
    wanted: dict[str, set[int]] = {name: set() for name in _FK_MODELS}
    for plan in plans:
        for name in _FK_MODELS:
            value = getattr(plan.activity, f"{name}_id")
            if value is not None:
                wanted[name].add(value)
    known: dict[str, set[int]] = {name: set() for name in _FK_MODELS}
    codes: dict[str, dict[int, Any]] = {name: {} for name in _FK_MODELS}
    if wanted["priority"]:
        rows = Priority._base_manager.select_related("presidency").filter(pk__in=wanted["priority"])
        priorities = {p.pk: p for p in rows}
        known["priority"] = set(priorities)
        codes["priority"] = {pk: (p.presidency.code, p.number) for pk, p in priorities.items()}
        priority_field, presidency_field = Activity._meta.get_field("priority"), Priority._meta.get_field("presidency")
        for plan in plans:
            loaded = priorities.get(plan.activity.priority_id)
            if loaded is None:
                continue  # full_clean reports the missing priority
            if not priority_field.is_cached(plan.activity):
                priority_field.set_cached_value(plan.activity, loaded)
            elif not presidency_field.is_cached(plan.activity.priority):
                presidency_field.set_cached_value(plan.activity.priority, loaded.presidency)
    for name in ("responsible_body", "lead_state"):
        if wanted[name]:
            model = _FK_MODELS[name]
            codes[name] = dict(model._base_manager.filter(pk__in=wanted[name]).values_list("pk", "code"))
            known[name] = set(codes[name])
    return known, codes


def _check_codes(plans: list[_Plan]) -> None:
    """validate_unique's check of `code`, for the batch in one query. A code that two items of the batch
    claim, or that another item of the batch holds, depends on the items' order: that batch goes item by item."""
    claims = [p for p in plans if p.activity.code is not None and "code" not in p.errors]
    by_code = {p.activity.code: p for p in claims}
    if len(by_code) != len(claims):
        raise NeedsItemByItem()
    if not by_code:
        return
    touched = {p.activity.pk for p in plans if p.activity.pk is not None}
    for code, pk in Activity.objects.filter(code__in=list(by_code)).values_list("code", "pk"):
        plan = by_code[code]
        if pk == plan.activity.pk:
            continue
        if pk in touched:
            raise NeedsItemByItem()
        unique = ValidationError({"code": [plan.activity.unique_error_message(Activity, ("code",))]})
        plan.errors["code"] = unique.message_dict["code"]


# --- Writing: one statement per table ------------------------------------------------------------------

def _write(plans: list[_Plan], codes: dict[str, dict[int, Any]]) -> None:
    new = [p for p in plans if p.created]
    changed = [p for p in plans if not p.created]
    if new:
        dbcopy.insert(Activity, [p.activity for p in new])
    if changed:
        _update([p.activity for p in changed], set(_ALWAYS_SAVED).union(*(p.change.changed_columns() for p in changed)))
    added = _write_links(plans)
    lead.align([p.activity for p in plans if planner.touches_lead(p.change)])
    _write_history(plans, added)
    store.follow_presidency([p.activity.pk for p in plans if not p.created and "priority" in p.change.diff])
    _write_log(plans)
    _emit(plans, codes)


def _update(activities: list[Activity], names: set[str]) -> None:
    """Save the changed activities. A sync mostly sends the same new values to many rows (progress 60, in
    progress), so rows sharing their new values take one UPDATE; bulk_update's CASE per row and column costs
    far more, in Python and in PostgreSQL, and is kept for batches of mostly distinct values. The version
    goes up by one under the row lock, so F("version") + 1 is each row's new version."""
    columns = sorted(Activity._meta.get_field(name).attname for name in names - {"version"})
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for activity in activities:
        groups[tuple(getattr(activity, c) for c in columns)].append(activity.pk)
    if len(groups) > _MAX_UPDATE_GROUPS:
        Activity.objects.bulk_update(activities, sorted(names))
        return
    for values, pks in groups.items():
        Activity.objects.filter(pk__in=dbcopy.ids(pks, Activity)).update(
            version=F("version") + 1, **dict(zip(columns, values, strict=True)))


def _write_links(plans: list[_Plan]) -> dict[int, list[tuple[int, int]]]:
    """Apply the participating-state changes as .set() would; returns each plan's new (through id, state id)."""
    removed: list[int] = []
    new_rows: list[Any] = []
    owners: list[int] = []
    for plan in plans:
        if plan.states is None:
            continue
        wanted = set(plan.states)
        removed += [pk for pk, state in plan.old_links if state not in wanted]
        have = {state for _pk, state in plan.old_links}
        for state in plan.states:
            if state not in have:
                new_rows.append(_Through(activity_id=plan.activity.pk, memberstate_id=state))
                owners.append(plan.index)
    if removed:
        _Through.objects.filter(pk__in=removed).delete()
    added: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if new_rows:
        for owner, row in zip(owners, dbcopy.insert(_Through, new_rows), strict=True):
            added[owner].append((row.pk, row.memberstate_id))
    return added


def _write_history(plans: list[_Plan], added: Mapping[int, list[tuple[int, int]]]) -> None:
    """The history rows the per-item path's save() and .set() write: one per save, plus one after the
    removals and one after the additions of participating states, each with its snapshot of them."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return  # as simple_history's own signal handlers do (restore_agenda turns history off)
    history_model = Activity.history.model
    links_model = history.participating_states_model()
    user = history_model.get_default_history_user(plans[0].activity) if plans else None
    tracked = [f.attname for f in history_model.tracked_fields]
    user_id = user.pk if user is not None else None
    rows: list[list[Any]] = []
    snapshots: list[list[tuple[int, int]]] = []
    for plan in plans:
        wanted = set(plan.states) if plan.states is not None else None
        kept = [(pk, s) for pk, s in plan.old_links if wanted is None or s in wanted]
        versions = [("+", [])] if plan.created else [("~", plan.old_links)]
        if plan.states is not None and len(kept) < len(plan.old_links):
            versions.append(("~", kept))
        if added.get(plan.index):
            versions.append(("~", kept + added[plan.index]))
        activity = plan.activity
        # The record simple-history's post_save would make, as its columns' values: building 1,000 records as
        # model instances cost more than writing them.
        columns = [getattr(activity, name) for name in tracked]
        reason = getattr(activity, "_change_reason", None)
        for history_type, snapshot in versions:
            rows.append([*columns, clock.now(), history_type, user_id, reason])
            snapshots.append(snapshot)
    ids = dbcopy.insert_rows(
        history_model, [*tracked, "history_date", "history_type", "history_user_id", "history_change_reason"],
        rows, pks=any(snapshots))  # the links below refer to their rows
    if not ids:
        return
    id_at = tracked.index("id")
    links = [
        links_model(history_id=history_id, id=pk, activity_id=row[id_at], memberstate_id=state)
        for history_id, row, snapshot in zip(ids, rows, snapshots, strict=True) for pk, state in snapshot
    ]
    if links:
        dbcopy.insert(links_model, links, pks=False)


def _write_log(plans: list[_Plan]) -> None:
    """The plans' progress-log rows, in one INSERT."""
    rows = [row for row in (p.change.log_row() for p in plans) if row is not None]
    if rows:
        dbcopy.insert(ProgressUpdate, rows, pks=False)


def _emit(plans: list[_Plan], codes: dict[str, dict[int, Any]]) -> None:
    """The plans' events, in the per-item path's order, in one INSERT. Their representations are built from
    the activities as this path wrote them, with the related rows' codes _validate read (and the owners'
    names, read here when any activity has an owner), instead of reading 500 activities back."""
    batch = [event for plan in plans for event in plan.change.events()]
    owners = {activity.owner_id for _type, activity, _data in batch if activity is not None and activity.owner_id}
    user_model = get_user_model()
    names = user_model._base_manager.filter(pk__in=owners).values_list("pk", user_model.USERNAME_FIELD)
    events.emit_many(batch, codes={**codes, "owner": dict(names) if owners else {}})
