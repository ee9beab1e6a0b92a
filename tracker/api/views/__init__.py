"""The REST API's endpoints: thin viewsets that read through selectors and FilterSets and write through
tracker/services/. No view writes an activity or a milestone itself.

Activity responses carry an ETag made of the version; writes honour If-Match (stale -> 412, nothing
changed) and POSTs honour Idempotency-Key (a retry replays the first answer).
"""

from tracker.api.views.activities import ActivityViewSet
from tracker.api.views.events import EventFeedView
from tracker.api.views.milestones import MilestoneViewSet
from tracker.api.views.reference import BodyViewSet, MemberStateViewSet, PresidencyViewSet, PriorityViewSet
from tracker.api.views.webhooks import WebhookSubscriptionViewSet

__all__ = [
    "ActivityViewSet", "BodyViewSet", "EventFeedView", "MemberStateViewSet", "MilestoneViewSet",
    "PresidencyViewSet", "PriorityViewSet", "WebhookSubscriptionViewSet",
]
