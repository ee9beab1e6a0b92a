"""The 2023 agenda seed: complete, loadable twice without change, never overwriting staff's edits."""

import pytest
from django.core.management import call_command

from tracker import services
from tracker.models import Activity, Body, MemberState, Milestone, Presidency, Priority, ProgressUpdate
from tracker.permissions import Actor
from tracker.seed import load_seed

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


def test_assumed_deadlines_are_declared_in_the_description():
    load_seed()
    for activity in Activity.objects.all():
        assert "planning assumption" in activity.description.lower(), activity.code


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
