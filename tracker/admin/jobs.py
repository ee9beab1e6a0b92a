"""The records background work writes (deliveries, the outbox, reminders, digests, snapshots, heartbeats):
coordinators read them, nobody edits them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import audit, webhooks
from tracker.admin.base import CoordinatorOnlyAdmin, CoordinatorsRead, NobodyWrites, ReadOnlyAdmin
from tracker.models import (
    DailySnapshot,
    DeliveryAttempt,
    DigestLog,
    OutboxEvent,
    ReminderLog,
    WebhookDelivery,
    WorkerHeartbeat,
)


class DeliveryAttemptInline(NobodyWrites, CoordinatorsRead, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    readonly_fields = fields
    ordering = ["number", "id"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CoordinatorOnlyAdmin):
    list_display = ["event", "event_type", "subscription", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at"]
    list_filter = ["status", "subscription", "event__event_type"]
    list_select_related = ["event", "subscription"]
    search_fields = ["event__id", "subscription__name", "last_error"]
    date_hierarchy = "created_at"
    fields = ["event", "subscription", "status", "attempts", "next_attempt_at", "window_started_at",
              "leased_until", "delivered_at", "last_status_code", "last_error", "created_at"]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    # Coordinators may send a delivery again (the "change" of the resend action); nobody adds or deletes one.
    def may_add(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def may_delete(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("event type"), ordering="event__event_type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.event_type

    @admin.action(description=_("Send the selected deliveries again"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        from tracker import tasks

        ids = list(queryset.values_list("pk", flat=True))
        count = webhooks.resend(ids)
        audit.record(audit.Action.WEBHOOK_RESENT, via=audit.Via.ADMIN, user=request.user,
                     object_repr=ngettext("%(n)d delivery", "%(n)d deliveries", len(ids)) % {"n": len(ids)},
                     detail={"deliveries": ids, "queued": count})
        for delivery_id in ids:
            transaction.on_commit(lambda delivery_id=delivery_id: tasks.enqueue(tasks.webhook_deliver, delivery_id))
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count) % {"n": count},
            messages.SUCCESS,
        )
        if count < len(ids):
            self.message_user(
                request,
                _("Deliveries of inactive subscriptions, or being sent right now, were left alone."),
                messages.WARNING,
            )


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "event_type", "activity", "created_at", "dispatched_at"]
    list_filter = ["event_type"]
    list_select_related = ["activity"]
    search_fields = ["id"]
    date_hierarchy = "created_at"


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["activity", "due_date", "threshold", "recipient", "claimed_at", "sent_at", "attempts"]
    list_filter = ["threshold"]
    list_select_related = ["activity"]
    search_fields = ["recipient", "activity__title"]


@admin.register(DigestLog)
class DigestLogAdmin(ReadOnlyAdmin):
    list_display = ["user", "week_start", "claimed_at", "sent_at", "skipped"]
    list_select_related = ["user"]


@admin.register(DailySnapshot)
class DailySnapshotAdmin(ReadOnlyAdmin):
    list_display = ["presidency", "day", "total", "done", "cancelled", "overdue", "percent_done", "source"]
    list_filter = ["presidency", "source"]
    date_hierarchy = "day"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker", "seen_at"]
