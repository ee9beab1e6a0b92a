"""Milestone writes check the activity's version when the caller gives the one it saw."""

import pytest

from tests import factories
from tracker import services
from tracker.errors import StaleVersion

pytestmark = pytest.mark.django_db


def test_ticking_a_milestone_with_the_current_version_succeeds(activity, coordinator_actor):
    milestone = factories.MilestoneFactory(activity=activity, order=1)
    services.milestone_toggle(actor=coordinator_actor, milestone=milestone, done=True, expected_version=1)
    milestone.refresh_from_db()
    activity.refresh_from_db()
    assert milestone.done and activity.version == 2


def test_ticking_a_milestone_with_a_stale_version_changes_nothing(activity, coordinator_actor):
    milestone = factories.MilestoneFactory(activity=activity, order=1)
    services.progress_report(actor=coordinator_actor, activity=activity, note="Meanwhile")
    with pytest.raises(StaleVersion) as info:
        services.milestone_toggle(actor=coordinator_actor, milestone=milestone, done=True, expected_version=1)
    assert info.value.current_version == 2
    milestone.refresh_from_db()
    assert milestone.done is False
