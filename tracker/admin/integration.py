"""Who talks to the tracker from outside: API clients and webhook subscriptions, the coordinators' business."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import audit
from tracker.admin.base import CoordinatorOnlyAdmin
from tracker.models import (
    ApiClient,
    WebhookSubscription,
)


@admin.register(ApiClient)
class ApiClientAdmin(CoordinatorOnlyAdmin):
    # Which systems hold keys, and for which bodies, is the coordinators' business, like webhooks.
    """A new client's key is shown once, in the confirmation message; only its hash is stored."""

    list_display = ["name", "scope", "all_bodies", "key_prefix", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope", "all_bodies"]
    readonly_fields = ["key_prefix", "last_used_at", "created_at", "created_by"]
    filter_horizontal = ["bodies"]
    actions = ["revoke"]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: ApiClient, form: forms.ModelForm, change: bool) -> None:
        new_key = None
        if not obj.key_hash:
            new_key = obj.set_new_key()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(
            audit.Action.API_CLIENT_CREATED if new_key else (
                audit.Action.API_CLIENT_REVOKED if "revoked_at" in form.changed_data and obj.revoked_at
                else audit.Action.API_CLIENT_CHANGED),
            via=audit.Via.ADMIN, user=request.user, obj=obj,
            detail={"scope": obj.scope, "key_prefix": obj.key_prefix, "changed": list(form.changed_data)},
        )
        if new_key:
            self.message_user(
                request,
                _("The key for %(name)s is %(key)s — copy it now: it is not stored and will not be shown again.")
                % {"name": obj.name, "key": new_key},
                messages.WARNING,
            )

    @admin.action(description=_("Revoke the selected clients' keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        count = 0
        with transaction.atomic():
            for client in queryset.filter(revoked_at__isnull=True).select_for_update():
                client.revoked_at = timezone.now()
                client.save(update_fields=["revoked_at"])
                audit.record(audit.Action.API_CLIENT_REVOKED, via=audit.Via.ADMIN, user=request.user, obj=client,
                             detail={"key_prefix": client.key_prefix})
                count += 1
        self.message_user(request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count})

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: ApiClient) -> None:
        audit.record(audit.Action.API_CLIENT_DELETED, via=audit.Via.ADMIN, user=request.user, obj=obj,
                     detail={"key_prefix": obj.key_prefix})
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            self.delete_model(request, client)





@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(CoordinatorOnlyAdmin):
    list_display = ["name", "url", "active", "disabled_reason", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at", "created_by"]
    fields = ["name", "url", "events", "secret", "active", "disabled_reason", "created_at", "created_by"]
    # A URL typed without a scheme is taken as https (Django 6's default; says so now, without a warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        if obj.active:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
        audit.record(audit.Action.WEBHOOK_CHANGED if change else audit.Action.WEBHOOK_CREATED, via=audit.Via.ADMIN,
                     user=request.user, obj=obj, detail={"url": obj.url, "changed": list(form.changed_data)})

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: WebhookSubscription) -> None:
        audit.record(audit.Action.WEBHOOK_DELETED, via=audit.Via.ADMIN, user=request.user, obj=obj,
                     detail={"url": obj.url})
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            self.delete_model(request, subscription)
