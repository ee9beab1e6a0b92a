"""The API's own bookkeeping: the first response to each Idempotency-Key, so a retry can be answered with it."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """One client's use of one Idempotency-Key: claimed before the request runs, completed with its response.

    The unique (owner, key) constraint is what makes the claim race-safe: of two simultaneous requests with
    the same key, exactly one inserts the row and runs; the other finds the row and waits or replays.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    #: "client:<id>" or "user:<id>": keys are private to whoever sent them.
    owner = models.CharField(_("owner"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=255)
    #: SHA-256 of method, path and the canonical JSON body: the same key with another request is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True, encoder=DjangoJSONEncoder)
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    #: When the current attempt claimed the key; an attempt that died is taken over after a while.
    locked_at = models.DateTimeField(_("claimed"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key} ({self.state})"
