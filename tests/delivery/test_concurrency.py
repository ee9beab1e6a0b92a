"""Two people assessing at once: both keep their assessment (append-only), and the latest by time is current."""

import pytest

from tests.test_concurrency import _run_together
from tracker.models import Channel, ConfidenceAssessment
from tracker.permissions import Actor
from tracker.selectors import delivery as selectors_delivery
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_assessors_at_once_both_keep_their_assessment(activity, editor, coordinator):
    people = [Actor.for_user(editor, Channel.WEB), Actor.for_user(coordinator, Channel.WEB)]

    def assess(index):
        return services_delivery.assessment_create(actor=people[index], activity=activity,
                                                   rating=["amber", "red"][index], narrative=f"view {index}")

    results = _run_together(2, assess)
    assert all(isinstance(r, ConfidenceAssessment) for r in results), results
    assert sorted(ConfidenceAssessment.objects.values_list("narrative", flat=True)) == ["view 0", "view 1"]
    latest = ConfidenceAssessment.objects.order_by("-created_at", "-id").first()
    current = selectors_delivery.ratings_for_activities([activity], period_start=activity.due_date)[activity.pk]
    assert current.current == latest
