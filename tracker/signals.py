"""Model signals that keep cached reads fresh: any committed change to what the screens show moves the
agenda's generation on (tracker/caching.py). Signals, not calls in each service, so that the admin's own
saves of priorities, bodies and states count too. Bulk writes that bypass signals call caching.bump()."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.signals import post_create_historical_record

from tracker import caching


def _changed(sender: type, **kwargs: Any) -> None:
    caching.bump()


def _log_entry_for_the_admin(sender: type, **kwargs: Any) -> None:
    """The admin's "Recent actions" lists what a person changed on the board or through the API too: each
    activity history record made by a signed-in person becomes a LogEntry. The admin writes its own."""
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from tracker import logtext

    record, user = kwargs["history_instance"], kwargs.get("history_user")
    reason = logtext.reason_data(record.history_change_reason) or {}
    if user is None or not getattr(user, "pk", None) or reason.get("channel") in ("admin", ""):
        return
    instance = kwargs["instance"]
    LogEntry.objects.create(
        user_id=user.pk,
        content_type_id=ContentType.objects.get_for_model(instance, for_concrete_model=False).pk,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action_flag={"+": ADDITION, "-": DELETION}.get(record.history_type, CHANGE),
        change_message="",
    )


def connect() -> None:
    from tracker.models import (
        Activity,
        Body,
        ConfidenceAssessment,
        DailySnapshot,
        MemberState,
        Milestone,
        Presidency,
        Priority,
        ProgressUpdate,
        RaidEntry,
        Stocktake,
    )

    for model in (Activity, Milestone, ProgressUpdate, Priority, Presidency, Body, MemberState, DailySnapshot,
                  ConfidenceAssessment, RaidEntry, Stocktake):
        post_save.connect(_changed, sender=model, dispatch_uid=f"caching-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"caching-delete-{model.__name__}")
    m2m_changed.connect(_changed, sender=Activity.participating_states.through, dispatch_uid="caching-states")
    post_create_historical_record.connect(
        _log_entry_for_the_admin, sender=Activity.history.model, dispatch_uid="admin-log-entries"
    )
