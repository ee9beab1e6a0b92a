"""The audit trail of actions the agenda's own logs do not cover: who did what to API keys, webhooks and
activities in bulk, when, through which door. Written by tracker.audit.record() only, read in the admin.

The admin's LogEntry already records every add, change and delete made through admin forms, but it needs
a user and an admin page: it cannot record `manage.py create_api_client`, a coordinator's webhook change
through the API, or what a bulk action did. Changes to activities are in ProgressUpdate and the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        API_CLIENT_CREATED = "api_client.created", _("API client created")
        API_CLIENT_CHANGED = "api_client.changed", _("API client changed")
        API_CLIENT_REVOKED = "api_client.revoked", _("API key revoked")
        API_CLIENT_DELETED = "api_client.deleted", _("API client deleted")
        WEBHOOK_CREATED = "webhook.created", _("Webhook subscription created")
        WEBHOOK_CHANGED = "webhook.changed", _("Webhook subscription changed")
        WEBHOOK_DELETED = "webhook.deleted", _("Webhook subscription deleted")
        WEBHOOK_RESENT = "webhook.resent", _("Webhook deliveries sent again")
        BULK_TRANSITION = "activities.bulk_transition", _("Activities moved in bulk")
        OUTCOME_SIGNED = "commitment.outcome_signed", _("Commitment outcome signed off")

    class Via(models.TextChoices):
        ADMIN = "admin", _("Admin")
        API = "api", _("API")
        WEB = "web", _("Web board")
        COMMAND = "command", _("Command line")
        SYSTEM = "system", _("System")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    #: The staff account, when there is one; `actor` keeps the name even if the account is deleted later.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.CharField(_("who"), max_length=200)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    action = models.CharField(_("what"), max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor}: {self.action} {self.object_repr}".strip()
