"""Admin pages of the schedule (issue 17): links between activities, written through
tracker/services/schedule.py (cycles refused with the path named); baselines, read only (they are frozen;
a coordinator approves a new one on the schedule report or here, with a reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tracker import permissions, services
from tracker.admin.base import NobodyWrites, RoleGate, RoleGatedAdmin, ServiceRefusalsAsMessages, actor
from tracker.models import Baseline, BaselineItem, Dependency


class DependencyForm(forms.ModelForm):
    class Meta:
        model = Dependency
        fields = ["predecessor", "predecessor_milestone", "successor", "kind"]


@admin.register(Dependency)
class DependencyAdmin(ServiceRefusalsAsMessages, RoleGatedAdmin):
    form = DependencyForm
    list_display = ["id", "predecessor", "predecessor_milestone", "successor", "kind", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["predecessor", "successor", "predecessor_milestone"]
    search_fields = ["predecessor__title", "successor__title"]
    raw_id_fields = ["predecessor", "successor", "predecessor_milestone"]

    def may_write(self, request: HttpRequest, obj: Any = None) -> bool:
        # A link belongs to its successor: who may change that activity may link it.
        if obj is not None:
            return permissions.can_edit_activity(actor(request), obj.successor)
        return permissions.can_create_activity(actor(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Dependency | None = None) -> list[str]:
        return ["predecessor", "predecessor_milestone", "successor", "kind"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Dependency, form: forms.ModelForm, change: bool) -> None:
        if change:
            return  # a link is removed and made anew, never edited
        data = form.cleaned_data
        created = services.dependency_create(
            actor=actor(request), successor=data["successor"], predecessor=data.get("predecessor"),
            predecessor_milestone=data.get("predecessor_milestone"), kind=data.get("kind") or "fs",
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Dependency) -> None:
        services.dependency_delete(actor=actor(request), dependency=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for link in queryset.select_related("successor"):
            services.dependency_delete(actor=actor(request), dependency=link)


class BaselineItemInline(NobodyWrites, RoleGate, admin.TabularInline):
    model = BaselineItem
    fields = ["activity", "milestone", "title", "start_date", "due_date"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = False


class BaselineForm(forms.ModelForm):
    class Meta:
        model = Baseline
        fields = ["presidency", "reason"]


@admin.register(Baseline)
class BaselineAdmin(ServiceRefusalsAsMessages, RoleGatedAdmin):
    """Approved here or on the schedule report; frozen afterwards (never changed, never deleted)."""

    form = BaselineForm
    list_display = ["presidency", "number", "approved_at", "approved_by_name", "reason"]
    list_filter = ["presidency"]
    inlines = [BaselineItemInline]

    def may_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and permissions.can_manage_agenda(actor(request))

    def may_delete(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_inlines(self, request: HttpRequest, obj: Baseline | None = None) -> list:
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Baseline, form: forms.ModelForm, change: bool) -> None:
        created = services.baseline_approve(actor=actor(request), presidency=form.cleaned_data["presidency"],
                                            reason=form.cleaned_data["reason"])
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        return None  # the items are the service's to write
