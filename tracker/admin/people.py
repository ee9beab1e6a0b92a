"""People in the admin: staff profiles (role, body, language, digest), and the discussion for coordinators
(issue 13): every comment, hidden ones and those of deleted activities included, with its earlier texts.
Read only: comments are written on the board and through the API."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.base import NobodyWrites, ReadOnlyAdmin, RoleGatedAdmin, RoleGatedInline
from tracker.models import Comment, CommentRevision, StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(RoleGatedAdmin):
    list_display = ["user", "role", "body", "language", "wants_digest"]
    list_filter = ["role", "body"]
    list_select_related = ["user", "body"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = []


class CommentRevisionInline(NobodyWrites, RoleGatedInline, admin.TabularInline):
    model = CommentRevision
    extra = 0
    fields = ["written_at", "replaced_at", "body"]
    readonly_fields = fields


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "activity_title", "author", "api_client", "created_at", "edited_at", "hidden_at"]
    list_filter = ["hidden_at"]
    list_select_related = ["author", "api_client"]
    search_fields = ["body", "activity_title"]
    date_hierarchy = "created_at"
    inlines = [CommentRevisionInline]
