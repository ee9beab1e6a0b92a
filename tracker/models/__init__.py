"""The tracker's models, one module per area; import them from here."""

from tracker.models.agenda import Activity, Channel, Milestone, Presidency, Priority, ProgressUpdate
from tracker.models.api import IdempotencyRecord
from tracker.models.integration import ApiClient, OutboxEvent, WebhookSubscription, hash_api_key
from tracker.models.people import Role, StaffProfile
from tracker.models.reference import Body, MemberState

__all__ = [
    "Activity",
    "ApiClient",
    "Body",
    "Channel",
    "IdempotencyRecord",
    "MemberState",
    "Milestone",
    "OutboxEvent",
    "Presidency",
    "Priority",
    "ProgressUpdate",
    "Role",
    "StaffProfile",
    "WebhookSubscription",
    "hash_api_key",
]
