"""The tracker's models, one module per area; import them from here."""

from tracker.models.agenda import Activity, Channel, DateBasis, Milestone, Presidency, Priority, ProgressUpdate
from tracker.models.api import IdempotencyRecord
from tracker.models.audit import AuditEntry
from tracker.models.commitments import Commitment, Outcome, Source
from tracker.models.delivery import (
    ConfidenceAssessment,
    RaidEntry,
    Rating,
    ReviewReminderLog,
    Stocktake,
    StocktakeItem,
)
from tracker.models.integration import ApiClient, OutboxEvent, WebhookSubscription, hash_api_key
from tracker.models.jobs import (
    DailySnapshot,
    DeliveryAttempt,
    DigestLog,
    OverdueNotice,
    ReminderLog,
    WebhookDelivery,
    WorkerHeartbeat,
)
from tracker.models.participation import Participation
from tracker.models.people import Role, StaffProfile
from tracker.models.reference import Body, MemberState
from tracker.models.schedule import Baseline, BaselineItem, Dependency, WaitingNotice

__all__ = [
    "Activity",
    "ApiClient",
    "AuditEntry",
    "Baseline",
    "BaselineItem",
    "Body",
    "Channel",
    "Commitment",
    "ConfidenceAssessment",
    "DailySnapshot",
    "DateBasis",
    "DeliveryAttempt",
    "Dependency",
    "DigestLog",
    "IdempotencyRecord",
    "MemberState",
    "Milestone",
    "OutboxEvent",
    "Outcome",
    "OverdueNotice",
    "Participation",
    "Presidency",
    "Priority",
    "ProgressUpdate",
    "RaidEntry",
    "Rating",
    "ReminderLog",
    "ReviewReminderLog",
    "Role",
    "Source",
    "StaffProfile",
    "Stocktake",
    "StocktakeItem",
    "WaitingNotice",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
    "hash_api_key",
]
