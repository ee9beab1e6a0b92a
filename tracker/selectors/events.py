"""The events feed: every event in commit order (tracker/feed.py gives the positions), with its frozen body."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min

from tracker import feed, webhook_http
from tracker.models import OutboxEvent
from tracker.models.integration import EVENT_TYPES


@dataclass(frozen=True)
class FeedPage:
    events: list[tuple[int, str]]  # (position, frozen JSON body)
    next_cursor: int
    has_more: bool
    #: The cursor asked for points before events that were purged (older than the retention period).
    gap: bool


def event_feed(*, after: int, limit: int, event_type: str | None = None, activity_id: int | None = None) -> FeedPage:
    """Events after the cursor `after`, oldest first: at most `limit`, in three queries whatever the size."""
    feed.sequence()  # events committed a moment ago join the order before anyone reads past them
    rows = OutboxEvent.objects.filter(position__gt=after, event_type__in=EVENT_TYPES)
    if event_type:
        rows = rows.filter(event_type=event_type)
    if activity_id is not None:
        rows = rows.filter(activity_id=activity_id)
    found = list(rows.order_by("position").only("pk", "position", "body", "event_type", "created_at",
                                                 "payload", "activity_id")[:limit + 1])
    has_more = len(found) > limit
    found = found[:limit]
    events = [(event.position, event.body or webhook_http.event_body(event).decode()) for event in found]
    oldest = OutboxEvent.objects.aggregate(oldest=Min("position"))["oldest"]
    gap = bool(after and oldest is not None and after < oldest - 1)
    return FeedPage(events=events, next_cursor=events[-1][0] if events else after, has_more=has_more, gap=gap)
