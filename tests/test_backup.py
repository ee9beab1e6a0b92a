"""A backup restores into an empty database with the same agenda, progress log and history."""

import pytest
from django.core.management import call_command

from tracker import services
from tracker.models import Activity, ProgressUpdate, StaffProfile
from tracker.permissions import Actor
from tracker.seed import load_seed

pytestmark = pytest.mark.django_db(transaction=True)


def _state():
    return {
        "activities": list(Activity.objects.order_by("pk").values_list(
            "pk", "code", "title", "status", "progress", "version", "due_date", "responsible_body__code")),
        "states": list(Activity.participating_states.through.objects.order_by("pk").values_list(
            "activity_id", "memberstate_id")),
        "log": list(ProgressUpdate.objects.order_by("pk").values_list(
            "pk", "activity_id", "actor_name", "channel", "old_status", "new_status", "note")),
        "history": list(Activity.history.order_by("history_id").values_list(
            "history_id", "id", "status", "history_type", "history_change_reason")),
        "profiles": list(StaffProfile.objects.values_list("user__username", "role", "body__code")),
    }


def test_export_then_restore_into_an_empty_database_finds_the_same_agenda(tmp_path, coordinator):
    load_seed()
    exercises = Activity.objects.get(code="p3-forces-readiness")
    services.progress_report(actor=Actor.for_user(coordinator), activity=exercises, progress=40, note="Concept agreed")
    services.activity_transition(actor=Actor.for_user(coordinator), activity=exercises, status="at_risk")
    before = _state()
    backup = tmp_path / "agenda.json"

    call_command("export_agenda", output=str(backup))
    call_command("flush", interactive=False, verbosity=0)
    assert not Activity.objects.exists()
    call_command("restore_agenda", str(backup))

    assert _state() == before
    restored = Activity.objects.get(code="p3-forces-readiness")
    assert (restored.status, restored.progress, restored.version) == ("at_risk", 40, 3)  # created, reported, moved
    # The restored database keeps working: a new write gets a fresh id after the restored ones.
    services.progress_report(actor=Actor.for_user(coordinator), activity=restored, note="After restore")
    assert ProgressUpdate.objects.latest("pk").pk > max(row[0] for row in before["log"])


def test_restore_refuses_a_database_that_already_holds_an_agenda(tmp_path, activity):
    from django.core.management.base import CommandError

    backup = tmp_path / "agenda.json"
    call_command("export_agenda", output=str(backup))
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore_agenda", str(backup))
