"""One function writes the audit trail (tracker.models.AuditEntry): who, when, what, through which door.

Call it inside the transaction of the change, so an entry exists exactly when the change does.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Mapping
from typing import Any

from django.db import models

from tracker.models import AuditEntry

Action = AuditEntry.Action
Via = AuditEntry.Via


def command_actor(command: str) -> str:
    """The name recorded for a management command: the operating-system account and the host."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        account = "unknown"
    return f"{account}@{socket.gethostname()} (manage.py {command})"


def record(
    action: str,
    *,
    via: str,
    user: Any = None,
    actor: str = "",
    obj: models.Model | None = None,
    object_repr: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. `user` is the staff account (if any); `actor` names anyone else."""
    if user is not None and getattr(user, "is_authenticated", False):
        account = user
        name = actor or user.get_username()
    else:
        account = None
        name = actor or str(user or "anonymous")
    return AuditEntry.objects.create(
        user=account, actor=name[:200], via=via, action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        detail=dict(detail or {}),
    )
