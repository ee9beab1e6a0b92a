"""Loading the agenda's seed: reference data as it is, activities and milestones through the services.

Rows are matched by their natural keys. A row that already exists is left exactly as it is, so running the
seed again changes nothing and never overwrites what staff have edited since; an activity that staff have
deleted is not brought back.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import transaction

from tracker import logtext, services
from tracker.models import Activity, MemberState, Milestone
from tracker.permissions import Actor

DEFAULT_SEED = Path(settings.BASE_DIR) / "fixtures" / "agenda_2023.json"


@transaction.atomic
def load_seed(path: Path = DEFAULT_SEED) -> Counter:
    """Load the seed file; returns how many rows of each model were created."""
    created: Counter = Counter()
    actor = Actor.system()
    with open(path, encoding="utf-8") as stream:
        for item in serializers.deserialize("json", stream):
            obj = item.object
            label = obj._meta.label
            if obj.pk is not None:  # the natural key found an existing row: leave it alone
                continue
            if isinstance(obj, Activity):
                if Activity.history.filter(code=obj.code, history_type="-").exists():
                    continue  # staff deleted it on purpose
                data = {name: getattr(obj, name) for name in services.ACTIVITY_FIELDS - {"participating_states"}}
                state_pks = item.m2m_data.get("participating_states", [])
                data["participating_states"] = list(MemberState.objects.filter(pk__in=state_pks))
                services.activity_create(actor=actor, data=data, event=logtext.SEEDED)
            elif isinstance(obj, Milestone):
                services.milestone_create(
                    actor=actor, activity=obj.activity, title=obj.title, title_ru=obj.title_ru,
                    due_date=obj.due_date, order=obj.order, done=obj.done, date_basis=obj.date_basis,
                    date_basis_note=obj.date_basis_note, date_basis_note_ru=obj.date_basis_note_ru,
                )
            else:
                obj.full_clean()
                item.save()
            created[label] += 1
    if path == DEFAULT_SEED:  # the commitments quote the 2023 agenda's source and serve its activities
        from tracker.seed_commitments import load_commitments

        created.update(load_commitments())
    return created
