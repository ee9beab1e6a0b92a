"""The benchmark data generator: realistic proportions, deterministic for a seed, removable."""

import pytest
from django.core.management import call_command

from benchmarks.loadgen import delete_load_data, generate
from tracker import selectors
from tracker.models import Activity, Milestone, Presidency, ProgressUpdate

pytestmark = pytest.mark.django_db


def _fingerprint():
    return list(Activity.objects.order_by("code").values_list("code", "priority__presidency__code", "status",
                                                               "progress", "due_date", "responsible_body__code"))


def test_generates_activities_with_milestones_updates_and_history():
    made = generate(300, seed=7)
    assert made["activities"] == Activity.objects.count() == 300
    assert Presidency.objects.count() >= 2
    assert 50 <= Milestone.objects.values("activity").distinct().count() <= 150
    assert ProgressUpdate.objects.count() == 900
    assert Activity.history.count() == 900
    # Done activities are complete; the roll-up reads them like any other agenda.
    assert not Activity.objects.filter(status="done").exclude(progress=100).exists()
    figures = selectors.presidency_rollup(Presidency.objects.first())
    assert figures.total > 0


def test_the_same_seed_makes_the_same_agenda():
    generate(120, seed=11)
    first = _fingerprint()
    delete_load_data()
    assert not Activity.objects.exists()
    generate(120, seed=11)
    assert _fingerprint() == first


def test_command_resets_and_reports(capsys):
    call_command("generate_load_data", activities=50)
    call_command("generate_load_data", activities=40, reset=True)
    assert Activity.objects.count() == 40
    assert "Generated" in capsys.readouterr().out


def test_asking_for_more_tops_up_without_touching_what_exists():
    generate(100, seed=3)
    first = _fingerprint()
    made = generate(150, seed=3)
    assert made["activities"] == 50
    assert _fingerprint()[:100] == first
    assert generate(150, seed=3)["activities"] == 0
