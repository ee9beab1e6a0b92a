"""Loading the commitments' seed (fixtures/commitments_2023.json) through the services.

Like the agenda's seed: a source or commitment that already exists is left as staff have it, so loading
again changes nothing. Linked activities are named by code; one that staff deleted is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tracker.models import Activity, Commitment, Presidency, Priority, Source
from tracker.permissions import Actor
from tracker.services import commitments as services_commitments

COMMITMENTS_SEED = Path(settings.BASE_DIR) / "fixtures" / "commitments_2023.json"

#: Seeded activities that serve no commitment, and why: the coverage screen lists them, and the seed test
#: checks that every other seeded activity serves one.
SERVES_NO_COMMITMENT: dict[str, str] = {
    "p2-statement-nuclear-rhetoric": "A position stated in the narrow-format talks, not a declared commitment.",
}


@transaction.atomic
def load_commitments(path: Path = COMMITMENTS_SEED) -> Counter:
    """Load the sources and commitments of the seed; returns how many rows of each model were created."""
    created: Counter = Counter()
    actor = Actor.system()
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        fields = dict(item["fields"])
        if item["model"] == "tracker.source":
            if Source.objects.filter(code=fields["code"]).exists():
                continue
            presidency = Presidency.objects.filter(code=fields.pop("presidency")[0]).first()
            if presidency is None:
                continue  # the agenda this source belongs to is not loaded
            fields["published_on"] = dt.date.fromisoformat(fields["published_on"])
            services_commitments.source_save(actor=actor, data={**fields, "presidency": presidency})
            created["tracker.Source"] += 1
        elif item["model"] == "tracker.commitment":
            source_code = fields.pop("source")[0]
            source = Source.objects.filter(code=source_code).first()
            if source is None or Commitment.objects.filter(source=source, number=fields["number"]).exists():
                continue
            presidency_code, number = fields.pop("priority")
            priority = Priority.objects.filter(presidency__code=presidency_code, number=number).first()
            if priority is None:
                continue
            codes = [key[0] for key in fields.pop("activities", [])]
            activities = Activity.objects.filter(code__in=codes).select_related("priority")
            services_commitments.commitment_save(
                actor=actor, data={**fields, "source": source, "priority": priority}, activities=activities
            )
            created["tracker.Commitment"] += 1
    return created
