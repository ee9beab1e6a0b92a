"""The audit trail: coordinators read it, nobody changes it."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.base import ReadOnlyAdmin
from tracker.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "via", "action", "object_repr", "object_type", "object_id"]
    list_filter = ["action", "via"]
    search_fields = ["actor", "object_repr", "object_id"]
    date_hierarchy = "at"
    fields = ["at", "user", "actor", "via", "action", "object_type", "object_id", "object_repr", "detail"]
    readonly_fields = fields
    list_select_related = ["user"]
