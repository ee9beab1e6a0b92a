"""A realistic agenda at scale for benchmarks: N activities over several presidencies, with milestones,
progress updates and field history in the proportions the real agenda shows. Deterministic for a seed.

This is benchmark tooling, not a door: it writes with bulk_create (the services would take hours for
100,000 rows) and every row it makes has a code or external reference starting with `load-`, so
`delete_load_data` removes exactly what it made.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator

from django.db import connections, router, transaction
from django.utils import timezone

from tracker import caching
from tracker.models import (
    Activity,
    Body,
    MemberState,
    Milestone,
    Presidency,
    Priority,
    ProgressUpdate,
)
from tracker.workflow import Status

PREFIX = "load-"
BATCH = 2000
STATES = [("AM", "Armenia", True), ("BY", "Belarus", True), ("KZ", "Kazakhstan", True), ("KG", "Kyrgyzstan", True),
          ("RU", "Russia", True), ("TJ", "Tajikistan", True), ("CN", "China", False), ("IN", "India", False)]
# Shares seen on a real agenda part-way through its year.
STATUS_WEIGHTS = {Status.PLANNED: 30, Status.IN_PROGRESS: 30, Status.AT_RISK: 8, Status.BLOCKED: 4,
                  Status.DONE: 24, Status.CANCELLED: 4}
KINDS = [k for k, _label in Activity.Kind.choices]
MILESTONE_SHARE = 0.3  # activities that have a checklist
UPDATES_PER_ACTIVITY = 3
HISTORY_CHANGES_PER_ACTIVITY = 2


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def delete_load_data() -> None:
    with transaction.atomic():
        Activity.history.filter(code__startswith=PREFIX).delete()
        Activity.objects.filter(code__startswith=PREFIX).delete()
        Priority.objects.filter(presidency__code__startswith=PREFIX).delete()
        Presidency.objects.filter(code__startswith=PREFIX).delete()
        Body.objects.filter(code__startswith=PREFIX).delete()


def generate(activities: int, *, seed: int = 2023, presidencies: int | None = None) -> Counter:
    """Make sure `activities` generated activities exist, adding what is missing (with everything around
    them); returns the counts made. The same seed and the same steps give the same agenda."""
    existing = Activity.objects.filter(code__startswith=PREFIX).count()
    rng = random.Random(f"{seed}-{existing}")
    made: Counter = Counter()
    presidencies = presidencies or max(2, min(12, activities // 10_000 + 2))
    with transaction.atomic():
        states = _states()
        bodies = _bodies(states, made)
        priorities = _presidencies_and_priorities(presidencies, states, made)
        now = timezone.now()
        for batch_start in range(existing, activities, BATCH):
            count = min(BATCH, activities - batch_start)
            _activity_batch(rng, batch_start, count, priorities, bodies, states, now, made)
        caching.bump()  # bulk_create sends no signals
    return made


def _states() -> list[MemberState]:
    for code, name, member in STATES:
        MemberState.objects.get_or_create(code=code, defaults={"name": name, "is_member": member})
    return list(MemberState.objects.filter(code__in=[c for c, _n, _m in STATES]).order_by("code"))


def _bodies(states: list[MemberState], made: Counter) -> list[Body]:
    kinds = [k for k, _label in Body.Kind.choices]
    wanted = [
        Body(code=f"{PREFIX}body-{i:02d}", name=f"Load body {i:02d}", kind=kinds[i % len(kinds)],
             state=states[i % len(states)], contact_emails=f"body{i:02d}@example.org")
        for i in range(30)
    ]
    existing = set(Body.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    new = [b for b in wanted if b.code not in existing]
    Body.objects.bulk_create(new)
    made["bodies"] += len(new)
    return list(Body.objects.filter(code__startswith=PREFIX).order_by("code"))


def _presidencies_and_priorities(count: int, states: list[MemberState], made: Counter) -> list[Priority]:
    for index in range(count):
        year = 2016 + index
        chair = states[index % 6]
        presidency, created = Presidency.objects.get_or_create(
            code=f"{PREFIX}{year}", defaults={
                "organisation": "Collective Security Treaty Organisation", "chair_state": chair,
                "period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31),
                "slogan": f"Load presidency {year}"})
        made["presidencies"] += int(created)
        for number in (1, 2, 3, 4):
            _p, created = Priority.objects.get_or_create(
                presidency=presidency, number=number, defaults={"title": f"Priority {number} of {year}",
                                                                "order": number})
            made["priorities"] += int(created)
    return list(Priority.objects.filter(presidency__code__startswith=PREFIX).select_related("presidency")
                .order_by("presidency__period_start", "number"))


def _during(activity: Activity, step: int, now: dt.datetime) -> dt.datetime:
    """When the step-th generated update was made: spread over the activity's life, as real updates are
    (so a presidency's updates are of its own year, and the newest ones are the current presidency's)."""
    end = min(activity.due_date, now.date())
    span = max((end - activity.start_date).days, 0)
    day = activity.start_date + dt.timedelta(days=span * (step + 1) // (UPDATES_PER_ACTIVITY + 1))
    moment = dt.datetime.combine(day, dt.time(10, activity.pk % 60), tzinfo=dt.UTC)
    return min(moment, now - dt.timedelta(minutes=UPDATES_PER_ACTIVITY - step))


def _insert(model: type, rows: list) -> None:
    """Rows without their ids back: PostgreSQL's COPY (several times faster than a multi-row INSERT's SQL,
    which Django composes value by value), bulk_create elsewhere."""
    db = connections[router.db_for_write(model)]  # the connection itself: the proxy's lookups cost a third
    if db.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(rows[0], f.attname) is None)]
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    with db.cursor() as cursor, cursor.cursor.copy(
            f"COPY {db.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([f.get_db_prep_save(f.pre_save(row, True), db) for f in fields])


def _activity_batch(rng: random.Random, start: int, count: int, priorities: list[Priority], bodies: list[Body],
                    states: list[MemberState], now: dt.datetime, made: Counter) -> None:
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    rows: list[Activity] = []
    for offset in range(count):
        number = start + offset + 1
        priority = priorities[rng.randrange(len(priorities))]
        year = priority.presidency.period_start.year
        start_date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))
        due_date = start_date + dt.timedelta(days=rng.randrange(7, 120))
        status = rng.choices(statuses, weights)[0]
        progress = 100 if status == Status.DONE else (0 if status == Status.PLANNED else rng.randrange(5, 95))
        body = bodies[rng.randrange(len(bodies))]
        rows.append(Activity(
            code=f"{PREFIX}{number:07d}", priority=priority, title=f"Activity {number}: {rng.choice(KINDS)} work",
            title_ru=f"Мероприятие {number}", description=f"Generated activity {number} for benchmarks.",
            kind=rng.choice(KINDS), status=status, start_date=start_date, due_date=due_date,
            completed_date=due_date if status == Status.DONE else None, progress=progress,
            responsible_body=body, lead_state=states[rng.randrange(6)], location="Minsk",
            external_source="load" if number % 2 else "", external_id=f"{PREFIX}{number}" if number % 2 else "",
            version=1 + UPDATES_PER_ACTIVITY, created_at=now, updated_at=now - dt.timedelta(seconds=number),
        ))
    _insert(Activity, rows)
    created = list(Activity.objects.filter(code__in=[r.code for r in rows]).order_by("id"))
    made["activities"] += len(created)

    through = Activity.participating_states.through
    links = []
    for activity in created:
        for state in rng.sample(states[:6], rng.randrange(2, 7)):
            links.append(through(activity_id=activity.pk, memberstate_id=state.pk))
    _insert(through, links)
    made["state links"] += len(links)

    milestones = []
    for activity in created:
        if rng.random() < MILESTONE_SHARE:
            for order in (1, 2, 3):
                milestones.append(Milestone(activity=activity, order=order, title=f"Step {order}",
                                            due_date=activity.due_date, done=activity.status == Status.DONE))
    _insert(Milestone, milestones)
    made["milestones"] += len(milestones)

    presidency_of = {priority.pk: priority.presidency_id for priority in priorities}  # no query per activity
    updates = []
    for activity in created:
        for step in range(UPDATES_PER_ACTIVITY):
            updates.append(ProgressUpdate(
                activity=activity, presidency_id=presidency_of[activity.priority_id],
                created_at=_during(activity, step, now),
                actor_name="load-generator", channel="system", old_status=Status.PLANNED, new_status=activity.status,
                old_progress=0, new_progress=activity.progress, note=f"Generated update {step + 1}"))
    _insert(ProgressUpdate, updates)
    made["progress updates"] += len(updates)

    history_model = Activity.history.model
    field_names = [f.attname for f in history_model._meta.fields
                   if not f.name.startswith("history_") and f.attname != "id"]
    history = []
    for activity in created:
        for step in range(1 + HISTORY_CHANGES_PER_ACTIVITY):
            values = {name: getattr(activity, name) for name in field_names}
            history.append(history_model(
                id=activity.pk, history_date=now - dt.timedelta(days=3 - step),
                history_type="+" if step == 0 else "~", history_change_reason="system: load-generator",
                **values))
    _insert(history_model, history)
    made["history rows"] += len(history)
