"""Every write to the agenda. The web board, the API, the admin and the background jobs call these
functions and nothing else to change the agenda. Names follow <thing>_<verb>; arguments are keyword-only.

    planner.py     the rules of an activity change, worked out in memory (one plan, two writers)
    agenda.py      activity writes, item by item, and the bulk upsert's entry point
    bulk.py        the set-based writer of a bulk upsert
    milestones.py  milestone writes
    integration.py webhook subscriptions and API clients, each write with its audit entry
    people.py      comments, watching, contributors, the inbox's marks, preferences, saved views (issue 13)
    store.py       the item-by-item writer's database steps (lock, validate, save, log)
    delivery.py    confidence assessments, the risk log and stocktakes
    commitments.py sources, commitments, outcomes, participation and the handover carry-over

delivery.py and commitments.py are imported as submodules (`from tracker.services import delivery as
services_delivery`), not re-exported here: they call this package's activity writes, so a re-export would be
an import cycle.
"""

from tracker.errors import BulkInvalid
from tracker.services.agenda import (
    activities_bulk_upsert,
    activity_confirm_dates,
    activity_create,
    activity_delete,
    activity_transition,
    activity_update,
    activity_upsert_by_ref,
    progress_report,
)
from tracker.services.documents import document_add, document_add_version
from tracker.services.integration import (
    api_client_change,
    api_client_create,
    api_client_delete,
    api_client_revoke,
    webhook_redeliver,
    webhook_secret_rotate,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)
from tracker.services.milestones import (
    MAX_MILESTONE_ORDER,
    milestone_confirm_date,
    milestone_create,
    milestone_delete,
    milestone_toggle,
    milestone_update,
)
from tracker.services.people import (
    activity_contributors_set,
    activity_watch,
    comment_edit,
    comment_hide,
    comment_post,
    notification_preferences_set,
    notifications_mark,
    saved_view_create,
    saved_view_delete,
)
from tracker.services.planner import ACTIVITY_FIELDS
from tracker.services.schedule import (
    baseline_approve,
    dependency_create,
    dependency_delete,
    waiting_notify,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "MAX_MILESTONE_ORDER",
    "BulkInvalid",
    "activities_bulk_upsert",
    "activity_confirm_dates",
    "activity_contributors_set",
    "activity_create",
    "activity_delete",
    "activity_transition",
    "activity_update",
    "activity_upsert_by_ref",
    "activity_watch",
    "api_client_change",
    "api_client_create",
    "api_client_delete",
    "api_client_revoke",
    "baseline_approve",
    "comment_edit",
    "comment_hide",
    "comment_post",
    "dependency_create",
    "dependency_delete",
    "document_add",
    "document_add_version",
    "milestone_confirm_date",
    "milestone_create",
    "milestone_delete",
    "milestone_toggle",
    "milestone_update",
    "notification_preferences_set",
    "notifications_mark",
    "progress_report",
    "saved_view_create",
    "saved_view_delete",
    "waiting_notify",
    "webhook_redeliver",
    "webhook_secret_rotate",
    "webhook_subscription_create",
    "webhook_subscription_delete",
    "webhook_subscription_update",
]
