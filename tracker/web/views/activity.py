"""One activity: its facts, milestones as a checklist, the progress log, the field history, and the quick
update form. Writes go through services.progress_report and services.milestone_toggle with the version
the page was rendered with, so a change someone else made meanwhile is reported, never overwritten."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import permissions, selectors, services
from tracker.errors import DomainError, StaleVersion
from tracker.models import Activity, Milestone
from tracker.web.common import actor_for, attempt_write, edit_refusal, status_for, today, web_login_required
from tracker.web.forms import ConfirmDateForm, MilestoneToggleForm, QuickUpdateForm
from tracker.web.views import delivery, people, schedule

LOG_SHOWN = 50
HISTORY_SHOWN = 20


def _load(pk: int) -> Activity:
    try:
        return selectors.activity_detail(pk)
    except Activity.DoesNotExist:
        raise Http404(_("No such activity.")) from None


def _render(
    request: HttpRequest, activity: Activity, *, form: QuickUpdateForm | None = None, status: int = 200,
    extra: dict[str, Any] | None = None, people_extra: dict[str, Any] | None = None,
) -> HttpResponse:
    day = today()
    selectors.mark_dates(activity, day)
    milestones = list(activity.milestones.all())
    actor = actor_for(request)
    can_edit = permissions.can_edit_activity(actor, activity)
    if form is None and can_edit:
        form = QuickUpdateForm(activity=activity, has_milestones=bool(milestones))
    context: dict[str, Any] = {
        "page": "board",
        "activity": activity,
        "milestones": milestones,
        "milestones_done": sum(1 for m in milestones if m.done),
        "can_edit": can_edit,
        "can_confirm": permissions.can_confirm_dates(actor, activity),
        "form": form if can_edit else None,
        "log": selectors.activity_log(activity, LOG_SHOWN),
        "history": selectors.activity_history(activity, HISTORY_SHOWN),
        "today": day,
        "schedule": schedule.activity_context(request, activity),  # links, forecast, slippage (issue 17)
        # Ratings, their history and the risk log (tracker/web/views/delivery.py).
        **(extra if extra is not None else delivery.activity_context(request, activity)),
        # Owner, contributors, watching and the discussion (tracker/web/views/people.py).
        **(people_extra if people_extra is not None else people.activity_context(request, activity)),
    }
    # An htmx form on the page swaps only the page's main part; a plain request gets the whole page.
    template = "tracker/partials/activity_main.html" if request.htmx else "tracker/activity_detail.html"
    return render(request, template, context, status=status)


@web_login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _load(pk))


@require_POST
@web_login_required
def activity_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick update form: status, progress and a note, reported through services.progress_report."""
    activity = _load(pk)
    refusal = edit_refusal(request, activity)
    if refusal:
        messages.error(request, refusal.message)
        return _render(request, activity, status=403)
    has_milestones = bool(activity.milestones.all())  # prefetched by the selector: no query
    form = QuickUpdateForm(request.POST, activity=activity, has_milestones=has_milestones)
    if not form.is_valid():
        return _render(request, activity, form=form, status=400)
    changes = form.changes()
    try:
        services.progress_report(
            actor=actor_for(request), activity=activity, progress=changes["progress"], status=changes["status"],
            note=changes["note"], expected_version=form.cleaned_data["expected_version"],
        )
    except DomainError as error:
        fresh = _load(pk)
        data = request.POST.copy()
        if isinstance(error, StaleVersion):
            # Keep what the person typed, shown next to the current facts; sending it again is then a
            # deliberate choice made knowing what changed.
            data["expected_version"] = str(error.current_version)
        form = QuickUpdateForm(data, activity=fresh, has_milestones=has_milestones)
        form.is_valid()
        form.add_domain_error(error)
        return _render(request, fresh, form=form, status=status_for(error))
    messages.success(request, _("Update saved."))
    if not request.htmx:
        return redirect("web:activity", pk=pk)
    return _render(request, _load(pk))


@require_POST
@web_login_required
def milestone_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("activity"), pk=pk)
    activity_id = milestone.activity_id
    form = MilestoneToggleForm(request.POST)
    outcome = attempt_write(
        request, milestone.activity, form, _("The change could not be read; reload the page and try again."),
        lambda data: services.milestone_toggle(
            actor=actor_for(request), milestone=milestone, done=data["done"], expected_version=data["expected_version"]
        ),
    )
    status = outcome.status
    if outcome.message:
        messages.error(request, outcome.message)
    else:
        text = _("Milestone “%(title)s” ticked.") if form.cleaned_data["done"] else _("Milestone “%(title)s” unticked.")
        messages.success(request, text % {"title": milestone.display_title})
    if not request.htmx and status == 200:
        return redirect("web:activity", pk=activity_id)
    return _render(request, _load(activity_id), status=status)


def _confirm(request: HttpRequest, activity: Activity, write: Any, success: str) -> HttpResponse:
    """Run a confirming `write(expected_version)`; refusals and stale versions become messages, not 500s.
    Who may confirm is checked before the input is read, so that a read-only person always meets 403."""
    activity_id = activity.pk
    try:
        permissions.ensure_can_confirm_dates(actor_for(request), activity)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return _render(request, _load(activity_id), status=403)
    form = ConfirmDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The change could not be read; reload the page and try again."))
        return _render(request, _load(activity_id), status=400)
    try:
        write(form.cleaned_data["expected_version"])
    except DomainError as error:
        messages.error(request, error.message)
        return _render(request, _load(activity_id), status=status_for(error))
    messages.success(request, success)
    return redirect("web:activity", pk=activity_id)


@require_POST
@web_login_required
def activity_confirm_dates(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff confirm the activity's dates: a planning assumption becomes their decision."""
    activity = _load(pk)
    return _confirm(
        request, activity,
        lambda version: services.activity_confirm_dates(
            actor=actor_for(request), activity=activity, expected_version=version
        ),
        _("The dates are confirmed as a decision."),
    )


@require_POST
@web_login_required
def milestone_confirm_date(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("activity"), pk=pk)
    return _confirm(
        request, milestone.activity,
        lambda version: services.milestone_confirm_date(
            actor=actor_for(request), milestone=milestone, expected_version=version
        ),
        _("The milestone and its date are confirmed as a decision."),
    )
