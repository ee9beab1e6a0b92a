"""The schedule on the web (issue 17): links on the activity page, the schedule report with baselines and
slippage, approving a baseline. Reads come from tracker/selectors/schedule.py, writes go through
tracker/services/schedule.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import permissions, services
from tracker.errors import DomainError
from tracker.models import Activity, Baseline, Body, Dependency, Presidency
from tracker.selectors import schedule as schedule_selectors
from tracker.web.common import actor_for, edit_refusal, for_presidency, status_for, today, web_login_required
from tracker.web.forms_schedule import BaselineForm, LinkForm


def activity_context(request: HttpRequest, activity: Activity, form: LinkForm | None = None) -> dict[str, Any]:
    """What the activity page's schedule section shows: forecast, waiting flags, slippage, links both ways."""
    schedule = schedule_selectors.agenda_schedule(activity.priority.presidency, today())
    item = schedule.activities.get(activity.pk)
    before, after = schedule.links_of(activity.pk)
    can_edit = permissions.can_edit_activity(actor_for(request), activity)

    def row(link: schedule_selectors.LinkRow, other: int) -> dict[str, Any]:
        node = -link.milestone if link.milestone else other
        return {"link": link, "other": other, "title": schedule.title(node), "milestone": bool(link.milestone),
                "kind": Dependency.Kind(link.kind).label,
                "can_delete": can_edit and link.successor == activity.pk}

    waiting = [{"id": node, "title": schedule.title(node), "reason": reason} for node, reason in (
        item.waiting if item else [])]
    return {
        "item": item,
        "waiting": waiting,
        "waits_on": [row(link, link.predecessor) for link in before],
        "needed_by": [row(link, link.successor) for link in after],
        "baseline": schedule.baseline,
        "link_form": (form or LinkForm(activity=activity)) if can_edit else None,
    }


@require_POST
@web_login_required
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("priority__presidency"), pk=pk)
    from tracker.web.views.activity import _load, _render

    refusal = edit_refusal(request, activity)  # before the input is read: a read-only person meets 403
    if refusal:
        messages.error(request, refusal.message)
        return _render(request, _load(pk), status=403)
    form = LinkForm(request.POST, activity=activity)
    status = 200
    if form.is_valid():
        other = form.cleaned_data["other"]
        before = form.cleaned_data["direction"] == LinkForm.BEFORE
        try:
            services.dependency_create(
                actor=actor_for(request), predecessor=other if before else activity,
                successor=activity if before else other, kind=form.cleaned_data["kind"],
            )
        except DomainError as error:
            status = status_for(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Link saved."))
            return redirect("web:activity", pk=pk)
    else:
        status = 400
        messages.error(request, _("The link could not be read: %(errors)s") % {
            "errors": "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                                for f, e in form.errors.items())})
    return _render(request, _load(pk), status=status)


@require_POST
@web_login_required
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(Dependency.objects.select_related("successor"), pk=pk)
    back = request.POST.get("activity")
    target = link.successor_id if str(link.predecessor_id) != back else link.predecessor_id
    try:
        services.dependency_delete(actor=actor_for(request), dependency=link)
    except DomainError as error:
        messages.error(request, error.message)
        from tracker.web.views.activity import _load, _render

        return _render(request, _load(target), status=status_for(error))
    messages.success(request, _("Link removed."))
    return redirect("web:activity", pk=target)


def _baseline(presidency: Presidency, value: str | None) -> Baseline | None:
    if not value or value == "current":
        return None
    try:
        return Baseline.objects.get(presidency=presidency, pk=int(value))
    except (ValueError, Baseline.DoesNotExist):
        raise Http404(_("No such baseline.")) from None


@web_login_required
@for_presidency("reports")
def schedule_report(request: HttpRequest, *, presidency: Presidency, day: dt.date,
                    form: BaselineForm | None = None, status: int = 200) -> HttpResponse:
    """Forecasts per priority, the baselines and the slippage between any two (or a baseline and now)."""
    schedule = schedule_selectors.agenda_schedule(presidency, day)
    baselines = schedule_selectors.baselines(presidency)
    reference = _baseline(presidency, request.GET.get("from")) or (baselines[-1] if baselines else None)
    against = _baseline(presidency, request.GET.get("to"))
    report = schedule_selectors.slippage(presidency, reference, against) if reference else None
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=[r.key for r in report["bodies"]])} if report else {}
    priorities = list(presidency.priorities.all())
    chains = schedule_selectors.chain_titles(schedule)
    summaries = [(p, schedule.priorities.get(p.pk), chains.get(p.pk, [])) for p in priorities]
    can_approve = permissions.can_manage_agenda(actor_for(request))
    return render(request, "tracker/schedule/report.html", {
        "page": "reports", "presidency": presidency, "today": day, "summaries": summaries,
        "baselines": baselines, "reference": reference, "against": against, "report": report,
        "priority_titles": {str(p.number): p.display_title for p in priorities},
        "bodies": bodies, "form": (form or BaselineForm()) if can_approve else None,
    }, status=status)


@require_POST
@web_login_required
def baseline_approve(request: HttpRequest) -> HttpResponse:
    day = today()
    from tracker.web.common import presidency_on_screen

    presidency = presidency_on_screen(day)
    if presidency is None:
        raise Http404(_("No presidency yet."))
    form = BaselineForm(request.POST)
    if not permissions.can_manage_agenda(actor_for(request)):
        messages.error(request, _("Only coordinators approve a baseline."))
        return schedule_report(request, status=403)
    if not form.is_valid():
        return schedule_report(request, form=form, status=400)
    try:
        baseline = services.baseline_approve(actor=actor_for(request), presidency=presidency,
                                             reason=form.cleaned_data["reason"])
    except DomainError as error:
        form.add_domain_error(error)
        return schedule_report(request, form=form, status=status_for(error))
    messages.success(request, _("Baseline %(number)s approved.") % {"number": baseline.number})
    return redirect("web:schedule")


@web_login_required
@for_presidency("reports")
def links_csv(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    """Every link of the presidency as CSV (the columns `manage.py import_links` reads back)."""
    from tracker.imports_schedule import links_csv as response

    return response(presidency)
