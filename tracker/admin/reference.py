"""Reference data in the admin: the member states and the bodies that activities are filed under."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.base import RoleGatedAdmin
from tracker.models import Body, MemberState


@admin.register(MemberState)
class MemberStateAdmin(RoleGatedAdmin):
    list_display = ["code", "name", "name_ru", "is_member"]
    list_filter = ["is_member"]
    search_fields = ["code", "name", "name_ru"]


@admin.register(Body)
class BodyAdmin(RoleGatedAdmin):
    list_display = ["code", "name", "kind", "state"]
    list_filter = ["kind", "state"]
    list_select_related = ["state"]
    search_fields = ["code", "name", "name_ru"]
