"""The tracker's models, one module per area; import them from here."""

from tracker.models.agenda import Activity, DateBasis, Presidency, Priority
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
from tracker.models.discussion import Comment, CommentRevision
from tracker.models.documents import Document, DocumentKind, DocumentOwner, DocumentVersion
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
from tracker.models.notifications import (
    EmailChoice,
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    SavedView,
    WatchOptOut,
)
from tracker.models.participation import Participation
from tracker.models.people import Role, StaffProfile
from tracker.models.progress import Channel, Milestone, ProgressUpdate
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
    "Comment",
    "CommentRevision",
    "Commitment",
    "ConfidenceAssessment",
    "DailySnapshot",
    "DateBasis",
    "DeliveryAttempt",
    "Dependency",
    "DigestLog",
    "Document",
    "DocumentKind",
    "DocumentOwner",
    "DocumentVersion",
    "EmailChoice",
    "EmailState",
    "IdempotencyRecord",
    "MemberState",
    "Milestone",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
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
    "SavedView",
    "Source",
    "StaffProfile",
    "Stocktake",
    "StocktakeItem",
    "WaitingNotice",
    "WatchOptOut",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
    "hash_api_key",
]
