"""The secretariat's rhythm on the web board: ratings on the activity page, the priority page (rating, heat
map, risk log), the ratings' and the risk log's CSV downloads; stocktakes are views/stocktakes.py. Writes
go through services_delivery; who may write is asked before the input is read, so a person without the
right always meets 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import permissions, selectors
from tracker.errors import DomainError, NotPermitted
from tracker.exports import csv_response
from tracker.models import Activity, Priority
from tracker.selectors import delivery as selectors_delivery
from tracker.services import delivery as services_delivery
from tracker.web.common import actor_for, presidency_on_screen, status_for, today, web_login_required
from tracker.web.forms_delivery import AssessmentForm, RaidEntryForm

# --- The activity page's part ----------------------------------------------------------------------------------


def activity_context(request: HttpRequest, activity: Activity, assess_form: AssessmentForm | None = None,
                     raid_form: RaidEntryForm | None = None) -> dict[str, Any]:
    """What the activity page shows of the rhythm: three queries."""
    actor = actor_for(request)
    period_start = activity.priority.presidency.period_start
    views = selectors_delivery.ratings_for_activities([activity], period_start=period_start, today=today())
    can_assess = permissions.can_assess_activity(actor, activity)
    can_log = permissions.can_edit_raid(actor, activity=activity)
    return {
        "confidence": views.get(activity.pk),
        "confidence_history": selectors_delivery.assessment_history(activity=activity),
        "can_assess": can_assess,
        "assess_form": (assess_form or AssessmentForm()) if can_assess else None,
        "activity_risks": list(activity.raid_entries.order_by("status", "-created_at")[:20]),
        "raid_form": (raid_form or RaidEntryForm()) if can_log else None,
    }


def _activity_page(request: HttpRequest, activity: Activity, status: int, **forms: Any) -> HttpResponse:
    from tracker.web.views.activity import _render

    return _render(request, activity, status=status, extra=activity_context(request, activity, **forms))


def _load_activity(pk: int) -> Activity:
    try:
        return selectors.activity_detail(pk)
    except Activity.DoesNotExist:
        raise Http404(_("No such activity.")) from None


def _guarded_write(request: HttpRequest, *, ensure: Callable[[], None], page: Callable[..., HttpResponse],
                   form_class: type[AssessmentForm | RaidEntryForm], form_name: str,
                   write: Callable[[dict[str, Any]], Any], success: str, back: HttpResponse) -> HttpResponse:
    """One form's write: the right is asked first (403, before the input is read), then the input (400), then
    the service decides (its error beside the form); on success a message and `back` to the page."""
    try:
        ensure()
    except NotPermitted as refusal:
        messages.error(request, refusal.message)
        return page(403)
    form = form_class(request.POST)
    if not form.is_valid():
        return page(400, **{form_name: form})
    try:
        write(form.cleaned_data)
    except DomainError as error:
        form.add_domain_error(error)
        return page(status_for(error), **{form_name: form})
    messages.success(request, success)
    return back


@require_POST
@web_login_required
def activity_assess(request: HttpRequest, pk: int) -> HttpResponse:
    activity, actor = _load_activity(pk), actor_for(request)
    return _guarded_write(
        request, ensure=lambda: permissions.ensure_can_assess_activity(actor, activity),
        page=lambda status, **forms: _activity_page(request, activity, status, **forms),
        form_class=AssessmentForm, form_name="assess_form",
        write=lambda data: services_delivery.assessment_create(actor=actor, activity=activity, **data),
        success=_("Assessment recorded."), back=redirect("web:activity", pk=pk))


@require_POST
@web_login_required
def activity_raid_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity, actor = _load_activity(pk), actor_for(request)
    return _guarded_write(
        request, ensure=lambda: permissions.ensure_can_edit_raid(actor, activity=activity),
        page=lambda status, **forms: _activity_page(request, activity, status, **forms),
        form_class=RaidEntryForm, form_name="raid_form",
        write=lambda data: services_delivery.raid_create(actor=actor, activity=activity, data=data),
        success=_("Entry added to the risk log."), back=redirect("web:activity", pk=pk))


# --- The priority page ------------------------------------------------------------------------------------------

def _priority_page(request: HttpRequest, priority: Priority, *, status: int = 200,
                   assess_form: AssessmentForm | None = None, raid_form: RaidEntryForm | None = None) -> HttpResponse:
    actor = actor_for(request)
    day = today()
    activities = [selectors.mark_dates(a, day) for a in
                  Activity.objects.filter(priority=priority).select_related("responsible_body").order_by("due_date",
                                                                                                          "id")[:200]]
    selectors_delivery.attach_ratings(activities, period_start=priority.presidency.period_start, today=day)
    can_assess = permissions.can_assess_priority(actor)
    can_log = permissions.can_edit_raid(actor, activity=None)
    context = {
        "page": "dashboard",
        "priority": priority,
        "today": day,
        "activities": activities,
        "confidence": selectors_delivery.ratings_for_priorities([priority.pk]).get(priority.pk),
        "confidence_history": selectors_delivery.assessment_history(priority=priority),
        "assess_form": (assess_form or AssessmentForm()) if can_assess else None,
        "raid_form": (raid_form or RaidEntryForm()) if can_log else None,
        "heat_map": selectors_delivery.heat_map(priority),
        "raid_log": selectors_delivery.raid_log(priority),
    }
    return render(request, "tracker/delivery/priority.html", context, status=status)


def _load_priority(pk: int) -> Priority:
    return get_object_or_404(Priority.objects.select_related("presidency"), pk=pk)


@web_login_required
def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _priority_page(request, _load_priority(pk))


@require_POST
@web_login_required
def priority_assess(request: HttpRequest, pk: int) -> HttpResponse:
    priority, actor = _load_priority(pk), actor_for(request)
    return _guarded_write(
        request, ensure=lambda: permissions.ensure_can_assess_priority(actor),
        page=lambda status, **forms: _priority_page(request, priority, status=status, **forms),
        form_class=AssessmentForm, form_name="assess_form",
        write=lambda data: services_delivery.assessment_create(actor=actor, priority=priority, **data),
        success=_("Assessment recorded."), back=redirect("web:priority", pk=pk))


@require_POST
@web_login_required
def priority_raid_add(request: HttpRequest, pk: int) -> HttpResponse:
    priority, actor = _load_priority(pk), actor_for(request)
    return _guarded_write(
        request, ensure=lambda: permissions.ensure_can_edit_raid(actor, activity=None),
        page=lambda status, **forms: _priority_page(request, priority, status=status, **forms),
        form_class=RaidEntryForm, form_name="raid_form",
        write=lambda data: services_delivery.raid_create(actor=actor, priority=priority, data=data),
        success=_("Entry added to the risk log."), back=redirect("web:priority", pk=pk))


# --- CSV exports ---------------------------------------------------------------------------------------------------

ASSESSMENT_CSV_COLUMNS = ["id", "activity_id", "activity_code", "priority_number", "rating", "narrative", "actions",
                          "assessor", "assessed_on", "next_review", "recorded_at"]
RISK_CSV_COLUMNS = ["id", "priority_number", "activity_id", "activity_code", "kind", "statement", "owner",
                    "likelihood", "impact", "score", "response", "due_date", "status", "escalated", "updated_at"]


def _csv(name: str, columns: list[str], rows) -> HttpResponse:
    return csv_response(name, columns, rows)  # tracker/exports.py: one rule for every CSV download


def _iso(value) -> str:
    return value.isoformat() if value else ""


@web_login_required
def export_assessments_csv(request: HttpRequest) -> HttpResponse:
    presidency = presidency_on_screen(today())
    qs = selectors_delivery.assessment_rows(presidency) if presidency else []
    return _csv("assessments", ASSESSMENT_CSV_COLUMNS, (
        [a.pk, a.activity_id or "", a.activity.code or "" if a.activity else "",
         a.priority.number if a.priority else a.activity.priority.number if a.activity else "", a.rating,
         a.narrative, a.actions, a.assessor_name, _iso(a.assessed_on), _iso(a.next_review), _iso(a.created_at)]
        for a in (qs.select_related("activity__priority") if presidency else qs)
    ))


@web_login_required
def export_risks_csv(request: HttpRequest) -> HttpResponse:
    presidency = presidency_on_screen(today())
    qs = selectors_delivery.raid_rows(presidency) if presidency else []
    return _csv("risks", RISK_CSV_COLUMNS, (
        [e.pk, e.priority.number, e.activity_id or "", (e.activity.code or "") if e.activity else "", e.kind,
         e.statement, e.owner, e.likelihood or "", e.impact or "", e.score or "", e.response, _iso(e.due_date),
         e.status, "yes" if e.escalated else "no", _iso(e.updated_at)]
        for e in qs
    ))
