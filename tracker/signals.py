"""Model signals that keep cached reads fresh: any committed change to what the screens show moves the
agenda's generation on (tracker/caching.py). Signals, not calls in each service, so that the admin's own
saves of priorities, bodies and states count too. Bulk writes that bypass signals call caching.bump()."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from tracker import caching


def _changed(sender: type, **kwargs: Any) -> None:
    caching.bump()


def connect() -> None:
    from tracker.models import (
        Activity,
        Body,
        DailySnapshot,
        MemberState,
        Milestone,
        Presidency,
        Priority,
        ProgressUpdate,
    )

    for model in (Activity, Milestone, ProgressUpdate, Priority, Presidency, Body, MemberState, DailySnapshot):
        post_save.connect(_changed, sender=model, dispatch_uid=f"caching-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"caching-delete-{model.__name__}")
    m2m_changed.connect(_changed, sender=Activity.participating_states.through, dispatch_uid="caching-states")
