"""The audit trail in the admin: coordinators read it; nobody adds, changes or deletes an entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tracker import permissions
from tracker.admin import _actor
from tracker.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "via", "action", "object_repr", "object_type", "object_id"]
    list_filter = ["action", "via"]
    search_fields = ["actor", "object_repr", "object_id"]
    date_hierarchy = "at"
    fields = ["at", "user", "actor", "via", "action", "object_type", "object_id", "object_repr", "detail"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_staff and permissions.can_manage_agenda(_actor(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
