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


@pytest.mark.slow
def test_the_documented_pg_dump_and_pg_restore_round_trip(postgres_only_transactional, coordinator, tmp_path):
    """docs/operations.md's commands, run as written: pg_dump -Fc, then pg_restore into a new database."""
    import subprocess

    import psycopg
    from django.db import connection

    load_seed()
    before = _state()
    config = connection.settings_dict
    host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
    server = f"postgres://{config.get('USER') or 'postgres'}@{host}:{port}"
    copy = f"{config['NAME']}_restored"
    dump = tmp_path / "tracker.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"{server}/{config['NAME']}"],
                   check=True, timeout=120)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{copy}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={server}/{copy}", str(dump)],
                       check=True, timeout=120)
        with psycopg.connect(f"{server}/{copy}") as restored:
            activities = restored.execute(
                "SELECT id, code, title, status, progress, version FROM tracker_activity ORDER BY id").fetchall()
            log_rows = restored.execute("SELECT count(*) FROM tracker_progressupdate").fetchone()[0]
            history_rows = restored.execute("SELECT count(*) FROM tracker_historicalactivity").fetchone()[0]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    assert [tuple(row) for row in activities] == [row[:6] for row in before["activities"]]
    assert (log_rows, history_rows) == (len(before["log"]), len(before["history"]))


@pytest.fixture
def postgres_only_transactional(transactional_db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
