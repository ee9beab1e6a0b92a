"""Admin pages of the secretariat's rhythm. Data entry goes through tracker/services/delivery.py, so the
admin obeys the same rules as the board and the API: assessments are append-only (added, never changed),
risk log entries keep their history, stocktakes are run on the board and only read here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker import permissions
from tracker.admin.base import CoordinatorsRead, NobodyWrites, RoleGate, ServiceRefusalsAsMessages
from tracker.admin.base import actor as _actor
from tracker.models import ConfidenceAssessment, RaidEntry, ReviewReminderLog, Stocktake, StocktakeItem
from tracker.services import delivery as services_delivery


def _writes_something(request: HttpRequest) -> bool:
    return request.user.is_staff and permissions.can_create_activity(_actor(request))


class AssessmentAdminForm(forms.ModelForm):
    class Meta:
        model = ConfidenceAssessment
        fields = ["activity", "priority", "rating", "narrative", "actions", "next_review"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("activity") and not data.get("priority"):
            self.add_error("activity", _("Assess either an activity or a priority."))
        return data


@admin.register(ConfidenceAssessment)
class ConfidenceAssessmentAdmin(ServiceRefusalsAsMessages, RoleGate, admin.ModelAdmin):
    form = AssessmentAdminForm
    list_display = ["assessed_on", "activity", "priority", "rating", "assessor_name", "next_review"]
    list_filter = ["rating", "assessed_on"]
    list_select_related = ["activity", "priority"]
    search_fields = ["narrative", "activity__title", "assessor_name"]
    raw_id_fields = ["activity"]

    def may_add(self, request: HttpRequest, obj: Any = None) -> bool:
        return _writes_something(request)

    def may_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # append-only: a new assessment, never an edited or deleted one

    def save_model(self, request: HttpRequest, obj: ConfidenceAssessment, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        created = services_delivery.assessment_create(
            actor=_actor(request), activity=data.get("activity"), priority=data.get("priority"),
            rating=data["rating"], narrative=data["narrative"], actions=data.get("actions", ""),
            next_review=data.get("next_review"),
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


class RaidEntryAdminForm(forms.ModelForm):
    class Meta:
        model = RaidEntry
        fields = ["priority", "activity", *sorted(services_delivery.RAID_FIELDS)]


@admin.register(RaidEntry)
class RaidEntryAdmin(ServiceRefusalsAsMessages, RoleGate, SimpleHistoryAdmin):
    form = RaidEntryAdminForm
    list_display = ["statement", "kind", "priority", "activity", "likelihood", "impact", "status", "escalated"]
    list_filter = ["kind", "status", "escalated", "priority"]
    list_select_related = ["priority", "activity"]
    search_fields = ["statement", "owner"]
    raw_id_fields = ["activity"]

    def may_add(self, request: HttpRequest, obj: Any = None) -> bool:
        return _writes_something(request)

    def may_write(self, request: HttpRequest, obj: RaidEntry | None = None) -> bool:
        if not request.user.is_staff:
            return False
        if obj is None:
            return _writes_something(request)
        return permissions.can_edit_raid(_actor(request), activity=obj.activity)

    def may_delete(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an entry is closed, not deleted: its history is the record

    def get_readonly_fields(self, request: HttpRequest, obj: RaidEntry | None = None) -> list[str]:
        return ["priority", "activity"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: RaidEntry, form: forms.ModelForm, change: bool) -> None:
        actor = _actor(request)
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in services_delivery.RAID_FIELDS}
            services_delivery.raid_update(actor=actor, entry=obj, changes=changes)
        else:
            fields = {name: data[name] for name in services_delivery.RAID_FIELDS if name in data}
            created = services_delivery.raid_create(actor=actor, priority=data.get("priority"),
                                                    activity=data.get("activity"), data=fields)
            obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


class StocktakeItemInline(NobodyWrites, admin.TabularInline):
    model = StocktakeItem
    fields = ["kind", "text", "owner", "due_date", "activity", "milestone"]
    readonly_fields = fields
    extra = 0


@admin.register(Stocktake)
class StocktakeAdmin(NobodyWrites, admin.ModelAdmin):
    """Stocktakes are run on the board (the screen, its freeze and its pack); here they are read."""

    list_display = ["held_on", "title", "priority", "status", "opened_by", "closed_by"]
    list_filter = ["status"]
    inlines = [StocktakeItemInline]
    exclude = ["snapshot"]


@admin.register(ReviewReminderLog)
class ReviewReminderLogAdmin(NobodyWrites, CoordinatorsRead, admin.ModelAdmin):
    """The reminder job's ledger: for those who run the machinery."""

    list_display = ["assessment", "recipient", "claimed_at", "sent_at", "attempts", "skipped"]


