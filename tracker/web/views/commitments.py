"""Commitments on the web board: coverage, a source's passages, one commitment with its outcome form, and
declared versus delivered (page, Word and CSV)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tracker import permissions
from tracker.errors import DomainError
from tracker.exports import csv_response
from tracker.models import Activity, Commitment, MemberState, Outcome, Presidency, Priority
from tracker.selectors import commitments as selectors_commitments
from tracker.services import commitments as services_commitments
from tracker.validators import plain_digits
from tracker.web.commitments_docx import delivered_docx, handover_docx
from tracker.web.common import (
    actor_for,
    for_presidency,
    presidency_on_screen,
    safe_next,
    status_for,
    today,
    web_login_required,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV_COLUMNS = [
    "source", "number", "priority", "statement", "statement_ru", "quote", "passage", "success_criterion",
    "state", "outcome", "evidence", "signed_by", "signed_at", "activities",
]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices)
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What shows the outcome: documents, decisions, dates."),
    )

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


@web_login_required
@for_presidency("commitments")
def coverage(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    context = {
        "page": "commitments",
        "presidency": presidency,
        "coverage": selectors_commitments.coverage(presidency, day),
        "sources": selectors_commitments.sources_of(presidency),
        "state_labels": selectors_commitments.STATE_LABELS,
    }
    return render(request, "tracker/commitments/coverage.html", context)


@web_login_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(selectors_commitments.sources_of_any(), pk=pk)
    return render(request, "tracker/commitments/source.html", {"page": "commitments", "source": source})


def _commitment(pk: int) -> Commitment:
    try:
        return selectors_commitments.commitment_detail(pk)
    except Commitment.DoesNotExist:
        raise Http404 from None


def _render_commitment(request: HttpRequest, commitment: Commitment, form: OutcomeForm | None = None,
                       status: int = 200) -> HttpResponse:
    actor = actor_for(request)
    may_sign = permissions.can_sign_off_outcome(actor)
    if form is None and may_sign:
        form = OutcomeForm(initial={"outcome": commitment.outcome, "evidence": commitment.outcome_evidence})
    context = {
        "page": "commitments",
        "commitment": commitment,
        "state": selectors_commitments.commitment_state(commitment, today()),
        "state_labels": selectors_commitments.STATE_LABELS,
        "form": form if may_sign else None,
    }
    return render(request, "tracker/commitments/commitment.html", context, status=status)


@web_login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_commitment(request, _commitment(pk))


@require_POST
@web_login_required
def commitment_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator records the outcome with its evidence; everyone else is refused before the input is read."""
    commitment = _commitment(pk)
    actor = actor_for(request)
    if not permissions.can_sign_off_outcome(actor):
        messages.error(request, _("Only coordinators may sign off a commitment's outcome."))
        return _render_commitment(request, commitment, status=403)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _render_commitment(request, commitment, form=form, status=400)
    try:
        services_commitments.commitment_record_outcome(
            actor=actor, commitment=commitment, outcome=form.cleaned_data["outcome"],
            evidence=form.cleaned_data["evidence"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_commitment(request, _commitment(pk), form=form, status=status_for(error))
    messages.success(request, _("Outcome signed off."))
    return redirect("web:commitment", pk=pk)


def _delivered_context(request: HttpRequest) -> dict | None:
    day = today()
    presidency = presidency_on_screen(day)
    if presidency is None:
        return None
    return {
        "page": "reports",
        "presidency": presidency,
        "rows": selectors_commitments.declared_vs_delivered(presidency, day),
        "generated": timezone.localtime(),
    }


@web_login_required
def delivered(request: HttpRequest) -> HttpResponse:
    context = _delivered_context(request)
    if context is None:
        return render(request, "tracker/empty.html", {"page": "reports"})
    return render(request, "tracker/commitments/delivered.html", context)


def _filename(stem: str, extension: str) -> str:
    return f'attachment; filename="{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"'


@web_login_required
def delivered_docx_view(request: HttpRequest) -> HttpResponse:
    context = _delivered_context(request) or {"presidency": None, "rows": []}
    response = HttpResponse(delivered_docx(context["presidency"], context["rows"]), content_type=DOCX_TYPE)
    response["Content-Disposition"] = _filename("declared-vs-delivered", "docx")
    return response


@web_login_required
def delivered_csv(request: HttpRequest) -> HttpResponse:
    """Machine-readable: codes, numbers and ISO dates, UTF-8 with a byte-order mark for spreadsheets."""
    context = _delivered_context(request)
    rows = (
        [
            c.source.code, c.number, c.priority.number, c.statement, c.statement_ru, c.quote, c.passage,
            c.success_criterion, row.state, c.outcome, c.outcome_evidence,
            c.outcome_signed_by.get_username() if c.outcome_signed_by else "",
            c.outcome_signed_at.isoformat() if c.outcome_signed_at else "",
            " ".join(a.code or str(a.pk) for a in c.activities.all()),
        ]
        for row in (context or {}).get("rows", [])
        for c in (row.commitment,)
    )
    return csv_response("declared-vs-delivered", CSV_COLUMNS, rows)


# --- Member-state participation ---------------------------------------------------------------------------

class MatrixFilter(forms.Form):
    priority = forms.ModelChoiceField(label=gettext_lazy("Priority"), queryset=Priority.objects.none(),
                                      required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *Activity.Kind.choices],
                             required=False)

    def __init__(self, *args: object, presidency: Presidency, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = presidency.priorities.order_by("number")


@web_login_required
@for_presidency("commitments")
def participation_matrix(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    form = MatrixFilter(request.GET or None, presidency=presidency)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # the form says which filter is wrong; the unfiltered matrix is shown
        matrix = selectors_commitments.participation_matrix(presidency)
    else:
        data = form.cleaned_data if form.is_bound else {}
        matrix = selectors_commitments.participation_matrix(
            presidency, priority=data.get("priority"), kind=data.get("kind") or ""
        )
    context = {"page": "commitments", "presidency": presidency, "form": form, "matrix": matrix}
    return render(request, "tracker/commitments/matrix.html", context, status=status)


@web_login_required
def member_state(request: HttpRequest, code: str) -> HttpResponse:
    day = today()
    presidency = presidency_on_screen(day)
    state = get_object_or_404(MemberState, code=code.upper())
    if presidency is None:
        return render(request, "tracker/empty.html", {"page": "commitments"})
    page = selectors_commitments.member_state_page(state, presidency, day)
    return render(request, "tracker/commitments/state.html",
                  {"page": "commitments", "presidency": presidency, "view": page})


# --- Handover ---------------------------------------------------------------------------------------------

@web_login_required
@for_presidency("commitments")
def handover(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    context = {
        "page": "commitments",
        "pack": selectors_commitments.handover_pack(presidency, day),
        "may_hand_over": permissions.can_hand_over(actor_for(request)),
    }
    return render(request, "tracker/commitments/handover.html", context)


@web_login_required
def handover_docx_view(request: HttpRequest) -> HttpResponse:
    day = today()
    presidency = presidency_on_screen(day)
    if presidency is None:
        raise Http404
    document = handover_docx(selectors_commitments.handover_pack(presidency, day))
    response = HttpResponse(document, content_type=DOCX_TYPE)
    response["Content-Disposition"] = _filename("handover", "docx")
    return response


@require_POST
@web_login_required
def carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator carries an open activity over to the successor's agenda; others are refused first."""
    activity = get_object_or_404(Activity.objects.select_related("priority__presidency"), pk=pk)
    actor = actor_for(request)
    if not permissions.can_hand_over(actor):
        messages.error(request, _("Only coordinators may hand activities over to the next presidency."))
        return redirect_with_status(request, 403)
    try:
        copy = services_commitments.activity_carry_over(actor=actor, activity=activity)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_with_status(request, status_for(error))
    messages.success(request, _("“%(title)s” is carried over to %(presidency)s.") % {
        "title": copy.display_title, "presidency": copy.priority.presidency})
    return redirect("web:handover")


def redirect_with_status(request: HttpRequest, status: int) -> HttpResponse:
    """A refusal shows the handover page again with its message, answered with the refusal's status."""
    response = handover(request)
    response.status_code = status
    return response


# --- The header's choice of presidency --------------------------------------------------------------------

@web_login_required
def choose_presidency(request: HttpRequest) -> HttpResponse:
    """GET: the presidencies to choose from; POST `presidency` (an id, or empty for the current one): every
    page, report and export of the board then shows the chosen presidency for the rest of the session."""
    from tracker import presidency_choice

    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), "/")
    presidencies = Presidency.objects.select_related("chair_state").order_by("-period_start")
    if request.method == "POST":
        raw = request.POST.get("presidency", "")
        if raw == "":
            presidency_choice.choose(request, None)
            return HttpResponseRedirect(next_url)  # a path, never a view name (redirect() would try to reverse it)
        chosen = presidencies.filter(pk=int(raw)).first() if plain_digits(raw) else None
        if chosen is None:
            messages.error(request, _("Choose one of the presidencies listed."))
            return render(request, "tracker/commitments/choose_presidency.html",
                          {"presidencies": presidencies, "next": next_url}, status=400)
        presidency_choice.choose(request, chosen.pk)
        return HttpResponseRedirect(next_url)
    context = {"presidencies": presidencies, "next": next_url, "on_screen": presidency_on_screen(today())}
    return render(request, "tracker/commitments/choose_presidency.html", context)
