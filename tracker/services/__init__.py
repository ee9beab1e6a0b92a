"""Every write to the agenda. The web board, the API, the admin and the background jobs call these
functions and nothing else to change the agenda. Names follow <thing>_<verb>; arguments are keyword-only.

    planner.py     the rules of an activity change, worked out in memory (one plan, two writers)
    agenda.py      activity writes, item by item, and the bulk upsert's entry point
    bulk.py        the set-based writer of a bulk upsert
    milestones.py  milestone writes
    integration.py webhook subscriptions and API clients, each write with its audit entry
    store.py       the item-by-item writer's database steps (lock, validate, save, log)
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
from tracker.services.planner import ACTIVITY_FIELDS

__all__ = [
    "ACTIVITY_FIELDS",
    "MAX_MILESTONE_ORDER",
    "BulkInvalid",
    "activities_bulk_upsert",
    "activity_confirm_dates",
    "activity_create",
    "activity_delete",
    "activity_transition",
    "activity_update",
    "activity_upsert_by_ref",
    "api_client_change",
    "api_client_create",
    "api_client_delete",
    "api_client_revoke",
    "milestone_confirm_date",
    "milestone_create",
    "milestone_delete",
    "milestone_toggle",
    "milestone_update",
    "progress_report",
    "webhook_redeliver",
    "webhook_secret_rotate",
    "webhook_subscription_create",
    "webhook_subscription_delete",
    "webhook_subscription_update",
]
