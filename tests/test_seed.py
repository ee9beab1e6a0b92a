"""The 2023 agenda seed: complete, loadable twice without change, never overwriting staff's edits."""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tracker import services
from tracker.models import Activity, Body, DateBasis, MemberState, Milestone, Presidency, Priority, ProgressUpdate
from tracker.permissions import Actor
from tracker.seed import DEFAULT_SEED, load_seed

_SOURCE_NAME = "000_102b06f034df19f1.txt"  # the press release of the Collective Security Council's session
SOURCE_CANDIDATES = [
    *([Path(os.environ["SEED_SOURCE_FILE"])] if os.environ.get("SEED_SOURCE_FILE") else []),
    *(Path(settings.BASE_DIR).parents[n] / "shared" / "seed" / _SOURCE_NAME for n in range(2)),
]

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "states": MemberState.objects.count(),
        "bodies": Body.objects.count(),
        "priorities": list(Priority.objects.values_list("number", "title")),
        "activities": list(Activity.objects.order_by("code").values_list("code", "title", "version", "status")),
        "milestones": Milestone.objects.count(),
        "updates": ProgressUpdate.objects.count(),
    }


def test_seed_holds_the_presidency_from_the_speech():
    load_seed()
    presidency = Presidency.objects.get()
    assert (presidency.period_start.isoformat(), presidency.period_end.isoformat()) == ("2023-01-01", "2023-12-31")
    assert presidency.chair_state.code == "BY"
    assert "solidarity" in presidency.slogan
    assert list(presidency.priorities.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert all(p.source_quote for p in presidency.priorities.all())
    assert set(MemberState.objects.filter(is_member=True).values_list("code", flat=True)) == {
        "AM", "BY", "KZ", "KG", "RU", "TJ"}
    assert set(MemberState.objects.filter(is_member=False).values_list("code", flat=True)) == {"CN", "IN"}


def test_seed_has_activities_under_every_priority_with_2023_deadlines():
    load_seed()
    assert Activity.objects.count() >= 15
    for priority in Priority.objects.all():
        assert priority.activities.count() >= 3, priority
    assert not Activity.objects.exclude(due_date__year=2023).exists()
    titles = " ".join(Activity.objects.values_list("title", flat=True)).lower()
    for needle in ("joint exercises", "china", "india", "analytical institutes", "standardisation",
                   "armenia", "kyrgyzstan", "international organisations"):
        assert needle in titles, needle
    china = Activity.objects.get(code="p2-csto-china-dialogue")
    assert china.participating_states.filter(code="CN").exists()
    assert all(a.title_ru for a in Activity.objects.all())


def test_every_seeded_date_and_milestone_says_what_it_rests_on():
    load_seed()
    items = [*Activity.objects.all(), *Milestone.objects.all()]
    assert len(items) == 18 + 19
    for item in items:
        assert item.date_basis in {DateBasis.SOURCE, DateBasis.ASSUMPTION}, item
        assert item.date_basis_note and item.date_basis_note_ru, item
        # None of the source's dates is a full date: each seeded date is an assumption, labelled as one.
        assert item.date_basis == DateBasis.ASSUMPTION, item
        assert not item.date_confirmed_by and item.date_confirmed_at is None
    for activity in Activity.objects.all():
        assert activity.source_quote, activity.code
        # The responsible bodies are the tracker's assignments: the source names none.
        assert "the source names none" in activity.description, activity.code
        assert "в источнике он не указан" in activity.description_ru, activity.code


def test_seed_makes_no_claim_the_source_does_not():
    load_seed()
    texts = " ".join(
        f"{a.title} {a.description} {a.title_ru} {a.description_ru}" for a in Activity.objects.all()
    ) + " ".join(f"{m.title} {m.title_ru}" for m in Milestone.objects.all())
    for claim in ("UN, SCO", "ООН", "offices of the security councils of the member states",
                  "together with the CSTO Joint Staff", "lessons of the joint exercises",
                  "Bilateral and multilateral consultations", "make regular use", "first drafts are expected",
                  "оборонных промышленностей", "пытаются стравить"):
        assert claim not in texts, claim
    organisations = Activity.objects.get(code="p2-international-organisations")
    assert organisations.title == "Co-operation with international organisations and third countries"
    first = Priority.objects.get(number=1)
    assert "further destabilisation" in first.title
    assert "недопущение дальнейшей дестабилизации" in first.title_ru
    # Items from the narrow-format talks say so, whichever priority they sit under.
    for code in ("p1-armenia-azerbaijan-deescalation", "p1-kyrgyzstan-tajikistan-border",
                 "p2-statement-nuclear-rhetoric"):
        activity = Activity.objects.get(code=code)
        assert "narrow-format talks" in activity.description, code
        assert "узком составе" in activity.description_ru, code
    assert Body.objects.filter(name_ru="Совет коллективной безопасности ОДКБ").exists()


def _source_text() -> str:
    for candidate in SOURCE_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.skip(f"the seed's source text is not on this machine (looked for {SOURCE_CANDIDATES[0]}); "
                "set SEED_SOURCE_FILE to check the quotes against it")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _quoted_passages() -> list[tuple[str, str]]:
    """Every text the seed presents as the source's words: the quote fields, whole, and the English text
    in double quotes inside descriptions and date bases. An ellipsis or a line break separates passages."""
    passages = []
    for item in json.loads(DEFAULT_SEED.read_text(encoding="utf-8")):
        fields = item["fields"]
        where = f"{item['model']} {fields.get('code') or fields.get('number') or fields.get('title')}"
        if fields.get("source_quote"):
            passages += [(where, part) for part in re.split(r"[\n…]", fields["source_quote"])]
        for name in ("description", "summary", "date_basis_note"):
            passages += [(where, quoted) for quoted in re.findall(r'"([^"]+)"', fields.get(name) or "")]
    return [(where, text.strip()) for where, text in passages if text.strip()]


def test_every_quoted_text_is_the_source_verbatim():
    source = _squash(_source_text())
    passages = _quoted_passages()
    assert len(passages) > 25
    missing = [(where, text) for where, text in passages if _squash(text) not in source]
    assert not missing, missing


def test_seed_activities_are_created_through_the_services():
    load_seed()
    activity = Activity.objects.get(code="p3-joint-exercises")
    first_log = ProgressUpdate.objects.filter(activity=activity).order_by("created_at").first()
    assert (first_log.channel, first_log.new_status) == ("system", "planned")
    assert activity.history.exists()


def test_seeding_twice_changes_nothing():
    load_seed()
    before = _snapshot()
    created = load_seed()
    assert not created
    assert _snapshot() == before


def test_seed_never_overwrites_what_staff_edited(coordinator):
    load_seed()
    activity = Activity.objects.get(code="p3-joint-exercises")
    services.activity_update(
        actor=Actor.for_user(coordinator), activity=activity, changes={"title": "Combat Brotherhood 2023"}
    )
    services.activity_transition(actor=Actor.for_user(coordinator), activity=activity, status="in_progress")
    call_command("seed_agenda", verbosity=0)
    activity.refresh_from_db()
    assert (activity.title, activity.status) == ("Combat Brotherhood 2023", "in_progress")


def test_seed_does_not_bring_back_an_activity_staff_deleted(coordinator):
    load_seed()
    unity = Activity.objects.get(code="p1-member-state-unity")
    services.activity_delete(actor=Actor.for_user(coordinator), activity=unity)
    load_seed()
    assert not Activity.objects.filter(code="p1-member-state-unity").exists()
