"""The admin for sources and commitments: every save goes through tracker/services/commitments.py, and
who may do what comes from tracker/permissions.py, as on the web board."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.admin.agenda import ActivityAdmin
from tracker.admin.base import RoleGatedAdmin, RoleGatedInline, ServiceRefusalsAsMessages
from tracker.admin.base import actor as _actor
from tracker.models import Activity, Commitment, Participation, Source
from tracker.services import commitments as services_commitments


class ServiceSavedAdmin(ServiceRefusalsAsMessages, RoleGatedAdmin):
    """Sources and commitments: role-gated, saved through the services."""


class SourceAdminForm(forms.ModelForm):
    url = forms.URLField(label=_("where published"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Source
        fields = ["code", "presidency", "title", "title_ru", "published_on", "publisher", "publisher_ru", "url"]


@admin.register(Source)
class SourceAdmin(ServiceSavedAdmin):
    form = SourceAdminForm
    list_display = ["title", "published_on", "publisher", "presidency"]
    list_filter = ["presidency"]
    search_fields = ["code", "title", "title_ru", "publisher"]

    def save_model(self, request: HttpRequest, obj: Source, form: forms.ModelForm, change: bool) -> None:
        fields = services_commitments.SOURCE_FIELDS
        data = {name: value for name, value in form.cleaned_data.items() if name in fields}
        saved = services_commitments.source_save(actor=_actor(request), data=data, source=obj if change else None)
        obj.pk = saved.pk
        obj._state.adding = False


class CommitmentAdminForm(forms.ModelForm):
    """Refuses next to the field what the services would refuse: an outcome without evidence, a priority
    of another presidency, an outcome set by someone who may not sign it off."""

    class Meta:
        model = Commitment
        fields = [
            "source", "number", "priority", "statement", "statement_ru", "quote", "quote_ru", "passage",
            "success_criterion", "success_criterion_ru", "activities", "outcome", "outcome_evidence",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") and not (cleaned.get("outcome_evidence") or "").strip():
            self.add_error("outcome_evidence", _("An outcome needs evidence: say what shows it."))
        source, priority = cleaned.get("source"), cleaned.get("priority")
        if source and priority and source.presidency_id != priority.presidency_id:
            self.add_error("priority", _("The priority belongs to another presidency than the source."))
        actor = getattr(self, "actor", None)
        outcome_changed = {"outcome", "outcome_evidence"} & set(self.changed_data)
        if outcome_changed and actor is not None and not permissions.can_sign_off_outcome(actor):
            self.add_error("outcome", _("Only coordinators may sign off a commitment's outcome."))
        if outcome_changed and not cleaned.get("outcome") and self.instance.outcome:
            self.add_error("outcome", _("A signed-off outcome can be changed, not removed."))
        return cleaned


@admin.register(Commitment)
class CommitmentAdmin(ServiceSavedAdmin):
    form = CommitmentAdminForm
    list_display = ["number", "statement", "priority", "source", "outcome", "outcome_signed_at"]
    list_filter = ["source", "priority", "outcome"]
    search_fields = ["statement", "statement_ru", "quote"]
    filter_horizontal = ["activities"]
    readonly_fields = ["outcome_signed_by", "outcome_signed_at"]

    def get_form(self, request: HttpRequest, obj: Commitment | None = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": _actor(request)})

    def save_model(self, request: HttpRequest, obj: Commitment, form: forms.ModelForm, change: bool) -> None:
        actor = _actor(request)
        data = {name: form.cleaned_data[name] for name in services_commitments.COMMITMENT_FIELDS}
        original = Commitment.objects.get(pk=obj.pk) if change else Commitment()
        saved = services_commitments.commitment_save(actor=actor, data=data, commitment=original)
        if {"outcome", "outcome_evidence"} & set(form.changed_data) and form.cleaned_data["outcome"]:
            services_commitments.commitment_record_outcome(
                actor=actor, commitment=saved, outcome=form.cleaned_data["outcome"],
                evidence=form.cleaned_data["outcome_evidence"],
            )
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        # Linked activities go through the service, which checks they belong to the commitment's presidency.
        commitment = Commitment.objects.select_related("priority").get(pk=form.instance.pk)
        services_commitments.commitment_link_activities(
            actor=_actor(request), commitment=commitment,
            activities=form.cleaned_data["activities"].select_related("priority"),
        )


# --- Participation: an inline on the activity's page -----------------------------------------------------------

class ParticipationInline(RoleGatedInline, admin.TabularInline):
    """Each state's part in the activity; whoever may edit the activity may edit it, through the services."""

    model = Participation
    extra = 0
    fields = ["memberstate", "role", "level", "confirmed", "note"]

    def may_write(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        actor = _actor(request)
        return permissions.can_edit_activity(actor, obj) if obj else permissions.can_create_activity(actor)


ActivityAdmin.inlines = [*ActivityAdmin.inlines, ParticipationInline]


def save_participation_formset(actor: permissions.Actor, activity: Activity, formset: Any) -> bool:
    """Save the participation inline through the services; False when `formset` is not that inline."""
    if formset.model is not Participation:
        return False
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for row in formset.forms:
        data = getattr(row, "cleaned_data", None)
        if not data or (row.instance.pk is None and not row.has_changed()):
            continue
        if data.get("DELETE"):
            if row.instance.pk:
                services_commitments.participation_delete(actor=actor, participation=row.instance)
                formset.deleted_objects.append(row.instance)
            continue
        if not row.has_changed():
            continue
        fields = {name: data[name] for name in services_commitments.PARTICIPATION_FIELDS if name in data}
        saved = services_commitments.participation_save(
            actor=actor, activity=activity, memberstate=data["memberstate"], data=fields
        )
        if row.instance.pk is None:
            formset.new_objects.append(saved)
        else:
            formset.changed_objects.append((saved, list(row.changed_data)))
    return True
