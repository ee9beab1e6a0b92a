"""The agenda's admin pages: presidencies and priorities, activities and the progress log (reference data is
admin/reference.py, staff profiles admin/people.py). Activity and milestone writes go through the services,
and who may do what comes from tracker/permissions.py, exactly as on the web board and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from tracker import audit, clock, logtext, permissions, services, workflow
from tracker.admin.base import (
    BOUNDED_CHOICES,
    NobodyWrites,
    RoleGate,
    RoleGatedAdmin,
    RoleGatedInline,
    ServiceRefusalsAsMessages,
    actor,
)
from tracker.errors import DomainError
from tracker.imports import ActivityResource, LimitedImportForm
from tracker.models import (
    Activity,
    DateBasis,
    Milestone,
    Presidency,
    Priority,
    ProgressUpdate,
)
from tracker.permissions import Actor
from tracker.workflow import Status

# --- Presidency and priorities -------------------------------------------------------------------------

class PriorityInline(RoleGatedInline, admin.StackedInline):
    model = Priority
    extra = 0
    fields = ["number", "order", "title", "title_ru", "summary", "summary_ru", "source_quote"]


@admin.register(Presidency)
class PresidencyAdmin(RoleGatedAdmin):
    list_display = ["code", "organisation_short", "chair_state", "period_start", "period_end", "slogan"]
    list_select_related = ["chair_state"]
    search_fields = ["code", "slogan", "organisation"]
    inlines = [PriorityInline]


class ActivityInline(RoleGatedInline, admin.TabularInline):
    """The activities of a priority, read here and edited on their own page, where the workflow applies."""

    model = Activity
    extra = 0
    fields = ["code", "title", "status", "due_date", "progress", "responsible_body"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    ordering = ["due_date", "id"]

    def may_add(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Activity]:
        return super().get_queryset(request).select_related("responsible_body")


@admin.register(Priority)
class PriorityAdmin(RoleGatedAdmin):
    list_display = ["__str__", "presidency", "number", "order"]
    list_filter = ["presidency"]
    list_select_related = ["presidency__chair_state"]
    search_fields = ["title", "title_ru", "summary"]
    inlines = [ActivityInline]


# --- Activities ----------------------------------------------------------------------------------------

class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        overdue = workflow.overdue_q(clock.today())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class ActivityAdminForm(forms.ModelForm):
    """Refuses, next to the field, what the services would refuse on save: a disallowed status change,
    a body the user may not write for, a version someone else has changed meanwhile."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "priority", "code", "title", "title_ru", "kind", "status", "progress", "start_date", "due_date",
            "responsible_body", "lead_state", "location", "watchers", "owner", "contributors", "description",
            "description_ru", "external_source", "external_id", "date_basis", "date_basis_note", "date_basis_note_ru",
            "source_quote",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        actor: Actor | None = getattr(self, "actor", None)
        if self.instance.pk:
            current = Activity.objects.filter(pk=self.instance.pk).values_list("version", "status").first()
            loaded = cleaned.get("loaded_version")
            if current and loaded is not None and current[0] != loaded:
                raise forms.ValidationError(
                    _("Someone else changed this activity while you were editing it. Reload the page to see "
                      "their change, then apply yours again.")
                )
            new_status = cleaned.get("status")
            if current and new_status and new_status != current[1]:
                try:
                    workflow.check_transition(current[1], new_status)
                except DomainError as exc:
                    self.add_error("status", exc.message)
        if (
            cleaned.get("date_basis") == DateBasis.DECISION and self.instance.date_basis != DateBasis.DECISION
        ):
            self.add_error("date_basis", _(
                "A date becomes a decision when staff confirm it; set 'source' or 'assumption' here."
            ))
        body = cleaned.get("responsible_body")
        if actor is not None and body is not None and not permissions.can_create_activity(actor, body.pk):
            self.add_error("responsible_body", _("You may not manage activities of this body."))
        owner = cleaned.get("owner")
        if owner is not None and body is not None:
            try:  # the services' rule (permissions.py), next to the field
                permissions.ensure_can_own_activity(owner, body.pk)
            except DomainError as exc:
                self.add_error("owner", exc.message)
        return cleaned


class MilestoneInline(RoleGatedInline, admin.TabularInline):
    """An activity's checklist; whoever may edit the activity may edit its milestones."""

    model = Milestone
    extra = 0
    fields = ["order", "title", "title_ru", "due_date", "done"]

    def may_write(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        who = actor(request)
        return permissions.can_edit_activity(who, obj) if obj else permissions.can_create_activity(who)


def _transition_action(target: str, description: str):
    def action(modeladmin: ActivityAdmin, request: HttpRequest, queryset: QuerySet[Activity]) -> None:
        who = actor(request)
        moved: list[int] = []
        refused: dict[str, str] = {}
        for activity in queryset.order_by("id"):
            try:
                services.activity_transition(
                    actor=who, activity=activity, status=target, event=logtext.ADMIN_BULK
                )
                moved.append(activity.pk)
            except DomainError as exc:
                refused[str(activity.pk)] = str(exc.message)
                modeladmin.message_user(request, f"{activity}: {exc.message}", messages.WARNING)
        audit.record(
            audit.Action.BULK_TRANSITION, via=audit.Via.ADMIN, user=request.user,
            object_repr=f"{len(moved)} → {target}", detail={"status": str(target), "moved": moved, "refused": refused},
        )
        moved = len(moved)
        if moved:
            modeladmin.message_user(
                request,
                ngettext("%(count)d activity moved to %(status)s.", "%(count)d activities moved to %(status)s.",
                         moved) % {"count": moved, "status": workflow.label(target).lower()},
                messages.SUCCESS,
            )

    action.__name__ = f"mark_{target}"
    return admin.action(description=description)(action)


@admin.register(Activity)
class ActivityAdmin(RoleGate, ServiceRefusalsAsMessages, ImportExportMixin, SimpleHistoryAdmin):
    form = ActivityAdminForm
    resource_classes = [ActivityResource]
    formats = [CSV, XLSX]
    import_form_class = LimitedImportForm
    formfield_overrides = BOUNDED_CHOICES
    # Short columns first, so that status, due date and progress fit a 1366 px screen beside the title.
    list_display = ["title", "status", "due_date", "progress", "priority_number", "responsible_body", "owner", "code"]
    list_filter = [
        "priority__presidency", "priority", "status", "kind", "responsible_body", "participating_states",
        OverdueFilter,
    ]
    list_select_related = ["priority__presidency", "responsible_body", "lead_state", "owner"]
    search_fields = ["title", "title_ru", "description", "code", "external_id"]
    date_hierarchy = "due_date"
    autocomplete_fields = []
    # Participating states: the participation inline (admin/commitments.py).
    filter_horizontal = ["watchers", "contributors"]
    readonly_fields = ["version", "completed_date", "created_at", "updated_at", "date_confirmed_by",
                       "date_confirmed_at"]
    #: Only a stored activity has these; the add form leaves them out.
    _STORED_ONLY = ("version", "completed_date", "created_at", "updated_at", "date_confirmed_by", "date_confirmed_at")
    inlines = [MilestoneInline]
    actions = [
        _transition_action(Status.IN_PROGRESS, _("Start the selected activities")),
        _transition_action(Status.AT_RISK, _("Mark the selected activities at risk")),
        _transition_action(Status.DONE, _("Mark the selected activities done")),
    ]
    fieldsets = [
        (None, {"fields": ["priority", "code", "title", "title_ru", "kind", "status", "progress", "loaded_version"]}),
        (_("Dates"), {"fields": [
            "start_date", "due_date", "completed_date", "date_basis", "date_basis_note", "date_basis_note_ru",
            "date_confirmed_by", "date_confirmed_at",
        ]}),
        (_("Who"), {"fields": ["responsible_body", "lead_state", "location", "owner", "contributors", "watchers"]}),
        (_("Description"), {"fields": ["description", "description_ru", "source_quote"]}),
        (_("Other systems"), {"fields": ["external_source", "external_id", "version", "created_at", "updated_at"]}),
    ]

    def set_history_delta_changes(self, request: HttpRequest, historical_records: Any, **kwargs: Any) -> None:
        super().set_history_delta_changes(request, historical_records, **kwargs)
        for record in historical_records:  # the reason is stored as data: shown worded, never saved back
            record.history_change_reason = logtext.describe_reason(record.history_change_reason)

    @admin.display(description=_("priority"), ordering="priority__number")
    def priority_number(self, obj: Activity) -> str:
        return f"P{obj.priority.number}"

    def get_fieldsets(self, request: HttpRequest, obj: Activity | None = None) -> list:
        if obj is not None:
            return self.fieldsets
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f not in self._STORED_ONLY]})
                for name, opts in self.fieldsets]

    def get_readonly_fields(self, request: HttpRequest, obj: Activity | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.milestones.exists():
            fields.append("progress")  # the milestones drive it (services.progress_report says the same)
        return fields

    # Permissions: anyone with a role reads; editors change their body's activities; coordinators all.
    def may_add(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_staff and permissions.can_create_activity(actor(request))

    def may_write(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        who = actor(request)
        if not request.user.is_staff:
            return False
        if obj is None:
            return permissions.can_create_activity(who)
        return permissions.can_edit_activity(who, obj)

    def may_delete(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        who = actor(request)
        return request.user.is_staff and who.is_coordinator and (
            obj is None or permissions.can_delete_activity(who, obj)
        )

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict | None = None) -> HttpResponse:
        # Reverting is off (SIMPLE_HISTORY_REVERT_DISABLED hides the button, but the library would still save
        # a POST): an old version is read here and changed through the ordinary form, which checks who may
        # change what and the version. A POST is refused for everyone, so nothing changes.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request: HttpRequest, obj: Activity | None = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        who = actor(request)
        return type(form_class.__name__, (form_class,), {"actor": who})

    def save_model(self, request: HttpRequest, obj: Activity, form: forms.ModelForm, change: bool) -> None:
        who = actor(request)
        writable = services.ACTIVITY_FIELDS
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in writable}
            services.activity_update(
                actor=who, activity=obj, changes=changes, expected_version=form.cleaned_data.get("loaded_version")
            )
        else:
            data = {name: value for name, value in form.cleaned_data.items() if name in writable}
            created = services.activity_create(actor=who, data=data)
            obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False
        watchers = form.cleaned_data.get("watchers")
        if watchers is not None and "watchers" in form.changed_data:
            obj.watchers.set(watchers)  # who is told about deadlines: not part of the agenda's versioned content
        contributors = form.cleaned_data.get("contributors")
        if contributors is not None and "contributors" in form.changed_data:
            services.activity_contributors_set(actor=who, activity=obj, contributors=contributors)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        # The activity's own many-to-many fields were saved by the service; milestones go through services too.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not Milestone:
            from tracker.admin.commitments import save_participation_formset

            if save_participation_formset(actor(request), form.instance, formset):
                return None
            return super().save_formset(request, form, formset, change)
        who = actor(request)
        activity = form.instance
        # The admin's change message reads these three lists, as BaseModelFormSet.save() would fill them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for milestone_form in formset.forms:
            data = getattr(milestone_form, "cleaned_data", None)
            if not data or (milestone_form.instance.pk is None and not milestone_form.has_changed()):
                continue
            if data.get("DELETE"):
                if milestone_form.instance.pk:
                    services.milestone_delete(actor=who, milestone=milestone_form.instance)
                    formset.deleted_objects.append(milestone_form.instance)
            elif milestone_form.instance.pk is None:
                created = services.milestone_create(
                    actor=who, activity=activity, title=data["title"], title_ru=data.get("title_ru", ""),
                    due_date=data.get("due_date"), order=data.get("order"), done=data.get("done", False),
                )
                formset.new_objects.append(created)
            elif milestone_form.has_changed():
                changes = {name: data[name] for name in milestone_form.changed_data if name in data}
                changes.pop("DELETE", None)
                updated = services.milestone_update(actor=who, milestone=milestone_form.instance, changes=changes)
                formset.changed_objects.append((updated, list(changes)))

    def delete_model(self, request: HttpRequest, obj: Activity) -> None:
        services.activity_delete(actor=actor(request), activity=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Activity]) -> None:
        for activity in queryset:
            services.activity_delete(actor=actor(request), activity=activity)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(NobodyWrites, RoleGatedAdmin):
    """The append-only log: readable, never editable."""

    list_display = ["created_at", "activity", "actor_name", "channel", "old_status", "new_status",
                    "old_progress", "new_progress", "note_text"]
    list_filter = ["channel", "new_status"]
    list_select_related = ["activity"]
    search_fields = ["activity__title", "actor_name", "note"]
    date_hierarchy = "created_at"

    @admin.display(description=_("note"))
    def note_text(self, obj: ProgressUpdate) -> str:
        return obj.display_note
