"""The commitments' small includes on other pages: what an activity serves, and who takes part in it."""

from __future__ import annotations

from typing import Any

from django import template

from tracker.models import Activity, Commitment, Participation

register = template.Library()


@register.inclusion_tag("tracker/commitments/activity_panel.html")
def activity_commitments(activity: Activity) -> dict[str, Any]:
    """Two queries, whatever the number of commitments and states."""
    return {
        "commitments": list(Commitment.objects.filter(activities=activity).select_related("priority")),
        "participations": list(
            Participation.objects.filter(activity=activity).select_related("memberstate").order_by(
                "-memberstate__is_member", "memberstate__name")
        ),
        "carried_from": activity.carried_over_from_id,
    }
