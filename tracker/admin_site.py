"""The admin site: branded as the tracker, with the agenda's models first and the operational records
(outbox, deliveries, heartbeats, ledgers, audit) in a section of their own, shown only to coordinators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

#: Models kept out of the agenda's section: the machinery's records, for those who run the tracker.
OPERATIONAL_MODELS = frozenset({
    "outboxevent", "webhookdelivery", "webhooksubscription", "workerheartbeat", "reminderlog", "digestlog",
    "dailysnapshot", "auditentry", "apiclient",
})


class TrackerAdminSite(admin.AdminSite):
    site_header = _("Presidency Agenda Tracker")
    site_title = _("Presidency Agenda Tracker")
    index_title = _("Data entry")

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        result = []
        for app in apps:
            if app["app_label"] != "tracker":
                result.append(app)
                continue
            agenda = [m for m in app["models"] if m["object_name"].lower() not in OPERATIONAL_MODELS]
            operations = [m for m in app["models"] if m["object_name"].lower() in OPERATIONAL_MODELS]
            if agenda:
                result.append({**app, "models": agenda})
            if operations:
                # Each model admin already hides these from those who may not see them (coordinators only).
                result.append({**app, "name": _("Operations"), "models": operations})
        return result


class TrackerAdminConfig(AdminConfig):
    default_site = "tracker.admin_site.TrackerAdminSite"
