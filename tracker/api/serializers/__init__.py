"""What the API reads and writes. Input serializers only check shapes and types and turn ids into objects;
every rule about the agenda (dates, transitions, who may write) is applied by tracker/services.py.

Input is strict: a field the endpoint does not accept is refused by name (400) rather than ignored, so a
typo in an integrator's payload ("progres") is caught the first time, not discovered months later.
"""


from tracker.api.serializers.activities import (
    ActivityByRefSerializer,
    ActivitySerializer,
    ActivityVersionSerializer,
    ActivityWriteSerializer,
    BulkItemSerializer,
    BulkRequestSerializer,
    BulkResultItemSerializer,
    BulkResultSerializer,
    ConfirmDatesSerializer,
    ConfirmMilestoneDateSerializer,
    FieldChangeSerializer,
    HistoryEntrySerializer,
    ProgressReportResultSerializer,
    ProgressReportSerializer,
    ProgressUpdateSerializer,
    TransitionSerializer,
    represent_row,
)
from tracker.api.serializers.agenda import (
    BodySerializer,
    MemberStateSerializer,
    PresidencyDetailSerializer,
    PresidencySerializer,
    PrioritySerializer,
    RollupCountsSerializer,
    RollupSerializer,
)
from tracker.api.serializers.milestones import (
    MilestoneSerializer,
    MilestoneToggleSerializer,
)
from tracker.api.serializers.strict import (
    BULK_MAX_ITEMS,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
    CachedRelatedField,
    JSONTyped,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictInputMixin,
    StrictIntegerField,
    StrictModelSerializer,
    StrictSlugField,
    StrictURLField,
)
from tracker.api.serializers.webhooks import (
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)

__all__ = [
    "BULK_MAX_ITEMS",
    "MAX_NOTE_LENGTH",
    "MAX_TEXT_LENGTH",
    "ActivityByRefSerializer",
    "ActivitySerializer",
    "ActivityVersionSerializer",
    "ActivityWriteSerializer",
    "BodySerializer",
    "BulkItemSerializer",
    "BulkRequestSerializer",
    "BulkResultItemSerializer",
    "BulkResultSerializer",
    "CachedRelatedField",
    "ConfirmDatesSerializer",
    "ConfirmMilestoneDateSerializer",
    "FieldChangeSerializer",
    "HistoryEntrySerializer",
    "JSONTyped",
    "MemberStateSerializer",
    "MilestoneSerializer",
    "MilestoneToggleSerializer",
    "PresidencyDetailSerializer",
    "PresidencySerializer",
    "PrioritySerializer",
    "ProgressReportResultSerializer",
    "ProgressReportSerializer",
    "ProgressUpdateSerializer",
    "RollupCountsSerializer",
    "RollupSerializer",
    "StrictBooleanField",
    "StrictCharField",
    "StrictChoiceField",
    "StrictInputMixin",
    "StrictIntegerField",
    "StrictModelSerializer",
    "StrictSlugField",
    "StrictURLField",
    "TransitionSerializer",
    "WebhookSubscriptionCreatedSerializer",
    "WebhookSubscriptionSerializer",
    "represent_row",
]
