"""Who talks to the tracker from outside: API clients and webhook subscriptions, the coordinators' business."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import audit, services
from tracker.admin.base import CoordinatorOnlyAdmin, DeletesOneByOne
from tracker.models import (
    ApiClient,
    WebhookSubscription,
)


@admin.register(ApiClient)
class ApiClientAdmin(DeletesOneByOne, CoordinatorOnlyAdmin):
    # Which systems hold keys, and for which bodies, is the coordinators' business, like webhooks.
    """A new client's key is shown once, in the confirmation message; only its hash is stored."""

    list_display = ["name", "scope", "manage_webhooks", "all_bodies", "key_prefix", "expires_at", "revoked_at",
                    "last_used_at"]
    list_filter = ["scope", "all_bodies"]
    readonly_fields = ["key_prefix", "last_used_at", "created_at", "created_by"]
    filter_horizontal = ["bodies"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: forms.ModelForm, change: bool) -> None:
        new_key = None
        if obj.key_hash:
            services.api_client_change(client=obj, changed=form.changed_data, via=audit.Via.ADMIN, user=request.user)
        else:  # its bodies are saved with the form's other relations, just after
            new_key = services.api_client_create(client=obj, via=audit.Via.ADMIN, user=request.user)
        if new_key:
            self.message_user(
                request,
                _("The key for %(name)s is %(key)s — copy it now: it is not stored and will not be shown again.")
                % {"name": obj.name, "key": new_key},
                messages.WARNING,
            )

    @admin.action(description=_("Revoke the selected clients' keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        with transaction.atomic():
            count = sum(services.api_client_revoke(client=client, via=audit.Via.ADMIN, user=request.user)
                        for client in queryset.order_by("pk"))
        self.message_user(request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count})

    def delete_model(self, request: HttpRequest, obj: ApiClient) -> None:
        services.api_client_delete(client=obj, via=audit.Via.ADMIN, user=request.user)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(DeletesOneByOne, CoordinatorOnlyAdmin):
    list_display = ["name", "url", "active", "owner", "disabled_reason", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at", "created_by", "owner", "disabled_at", "failing_since",
                       "previous_secret_expires_at"]
    fields = ["name", "url", "events", "secret", "active", "disabled_reason", "disabled_at", "failing_since",
              "previous_secret_expires_at", "owner", "created_at", "created_by"]
    # A URL typed without a scheme is taken as https (Django 6's default; says so now, without a warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            services.webhook_subscription_update(subscription=obj, changes=changes, via=audit.Via.ADMIN,
                                                 user=request.user)
        else:
            created = services.webhook_subscription_create(values={
                name: getattr(obj, name) for name in ("name", "url", "events", "secret", "active", "disabled_reason")
            }, via=audit.Via.ADMIN, user=request.user)
            obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at
            obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: WebhookSubscription) -> None:
        services.webhook_subscription_delete(subscription=obj, via=audit.Via.ADMIN, user=request.user)
