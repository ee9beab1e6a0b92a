"""Stocktakes on the web board: the list, opening one, its screen, its writes (attendees, decisions and
actions, an action made a milestone or a new activity, closing), the printable page and the Word pack.
Writes go through services_delivery; who may run a stocktake is asked before the input is read, so a
person without the right always meets 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import permissions
from tracker.errors import DomainError, NotPermitted
from tracker.models import Stocktake, StocktakeItem
from tracker.selectors import delivery as selectors_delivery
from tracker.services import delivery as services_delivery
from tracker.validators import plain_digits
from tracker.web.common import actor_for, presidency_on_screen, status_for, today, web_login_required
from tracker.web.forms_delivery import ActionToActivityForm, AttendeesForm, StocktakeItemForm, StocktakeOpenForm


@web_login_required
def stocktake_list(request: HttpRequest, form: StocktakeOpenForm | None = None, status: int = 200) -> HttpResponse:
    presidency = presidency_on_screen(today())
    if presidency is None:
        return render(request, "tracker/empty.html", {"page": "stocktakes"})
    can_run = permissions.can_run_stocktakes(actor_for(request))
    context = {
        "page": "stocktakes",
        "presidency": presidency,
        "stocktakes": selectors_delivery.stocktakes(presidency),
        "form": (form or StocktakeOpenForm(presidency=presidency, initial={"held_on": today()})) if can_run else None,
    }
    return render(request, "tracker/delivery/stocktakes.html", context, status=status)


@require_POST
@web_login_required
def stocktake_open(request: HttpRequest) -> HttpResponse:
    presidency = presidency_on_screen(today())
    if presidency is None:
        raise Http404(_("There is no presidency to take stock of."))
    try:
        permissions.ensure_can_run_stocktakes(actor_for(request))
    except NotPermitted as refusal:
        messages.error(request, refusal.message)
        return stocktake_list(request, status=403)
    form = StocktakeOpenForm(request.POST, presidency=presidency)
    if form.is_valid():
        try:
            stocktake = services_delivery.stocktake_open(actor=actor_for(request), presidency=presidency,
                                                         **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
            return stocktake_list(request, form=form, status=status_for(error))
        return redirect("web:stocktake", pk=stocktake.pk)
    return stocktake_list(request, form=form, status=400)


def _load_stocktake(pk: int) -> Stocktake:
    return get_object_or_404(Stocktake.objects.select_related("presidency", "priority"), pk=pk)


def stocktake_context(stocktake: Stocktake) -> dict[str, Any]:
    data = selectors_delivery.stocktake_view(stocktake, today())
    items = list(stocktake.items.select_related("activity", "milestone"))
    return {
        "stocktake": stocktake,
        "data": data,
        "decisions": [i for i in items if i.kind == StocktakeItem.Kind.DECISION],
        "actions": [i for i in items if i.kind == StocktakeItem.Kind.ACTION],
    }


def _stocktake_page(request: HttpRequest, stocktake: Stocktake, *, status: int = 200,
                    attendees_form: AttendeesForm | None = None,
                    item_form: StocktakeItemForm | None = None,
                    activity_form: ActionToActivityForm | None = None) -> HttpResponse:
    can_run = permissions.can_run_stocktakes(actor_for(request)) and not stocktake.is_closed
    shown = stocktake_context(stocktake)
    if can_run and activity_form is None and plain_digits(request.GET.get("convert", "")):
        # "Make it a new activity…": the form for one action at a time, so the page's queries stay bounded.
        chosen = next((i for i in shown["actions"] if i.pk == int(request.GET["convert"])
                       and not i.created_activity_id), None)
        if chosen is not None:
            chosen.stocktake = stocktake
            activity_form = ActionToActivityForm(item=chosen)
    context = {
        "page": "stocktakes",
        **shown,
        "activity_form": activity_form if can_run else None,
        "can_run": can_run,
        "attendees_form": (attendees_form or AttendeesForm(initial={"attendees": stocktake.attendees}))
        if can_run else None,
        "item_form": (item_form or StocktakeItemForm(activities=selectors_delivery.stocktake_scope(stocktake)))
        if can_run else None,
    }
    return render(request, "tracker/delivery/stocktake.html", context, status=status)


@web_login_required
def stocktake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _stocktake_page(request, _load_stocktake(pk))


def _stocktake_write(request: HttpRequest, pk: int, write, success: str, form_name: str | None = None,
                     form=None) -> HttpResponse:
    """Check the right first (403), then the input (400), then let the service decide (closed: 409)."""
    stocktake = _load_stocktake(pk)
    try:
        permissions.ensure_can_run_stocktakes(actor_for(request))
    except NotPermitted as refusal:
        messages.error(request, refusal.message)
        return _stocktake_page(request, stocktake, status=403)
    if form is not None and not form.is_valid():
        return _stocktake_page(request, stocktake, status=400, **{form_name: form})
    try:
        write(stocktake)
    except services_delivery.StocktakeClosed as error:
        messages.error(request, error.message)
        return _stocktake_page(request, stocktake, status=409)
    except DomainError as error:
        if form is None:
            messages.error(request, error.message)
            return _stocktake_page(request, stocktake, status=status_for(error))
        form.add_domain_error(error)
        return _stocktake_page(request, stocktake, status=status_for(error), **{form_name: form})
    messages.success(request, success)
    return redirect("web:stocktake", pk=pk)


@require_POST
@web_login_required
def stocktake_attendees(request: HttpRequest, pk: int) -> HttpResponse:
    form = AttendeesForm(request.POST)
    return _stocktake_write(
        request, pk,
        lambda st: services_delivery.stocktake_update(actor=actor_for(request), stocktake=st,
                                                      attendees=form.cleaned_data["attendees"]),
        _("Attendees saved."), "attendees_form", form,
    )


@require_POST
@web_login_required
def stocktake_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    stocktake = _load_stocktake(pk)
    form = StocktakeItemForm(request.POST, activities=selectors_delivery.stocktake_scope(stocktake))
    return _stocktake_write(
        request, pk,
        lambda st: services_delivery.stocktake_add_item(actor=actor_for(request), stocktake=st, **form.cleaned_data),
        _("Recorded."), "item_form", form,
    )


@require_POST
@web_login_required
def stocktake_item_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(StocktakeItem, pk=pk)
    return _stocktake_write(
        request, item.stocktake_id,
        lambda st: services_delivery.stocktake_item_to_milestone(actor=actor_for(request), item=item),
        _("The action is now a milestone of its activity."),
    )


@require_POST
@web_login_required
def stocktake_item_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn an action into a new activity: with the form's choices (priority, body, kind, dates, title) when
    they are sent, else filed like the activity the action concerns."""
    item = get_object_or_404(StocktakeItem.objects.select_related("stocktake__presidency", "activity"), pk=pk)
    form = ActionToActivityForm(request.POST, item=item)
    chosen = any(name.startswith(f"{form.prefix}-") for name in request.POST)
    return _stocktake_write(
        request, item.stocktake_id,
        lambda st: services_delivery.stocktake_item_to_activity(
            actor=actor_for(request), item=item, data=form.cleaned_data if chosen else None),
        _("The action is now an activity of its own."),
        "activity_form" if chosen else None, form if chosen else None,
    )


@require_POST
@web_login_required
def stocktake_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _stocktake_write(
        request, pk,
        lambda st: services_delivery.stocktake_close(actor=actor_for(request), stocktake=st),
        _("The stocktake is closed; its record is frozen."),
    )


@web_login_required
def stocktake_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "tracker/delivery/stocktake_print.html",
                  {"page": "stocktakes", **stocktake_context(_load_stocktake(pk))})


@web_login_required
def stocktake_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from tracker.web.stocktake_docx import stocktake_pack

    stocktake = _load_stocktake(pk)
    content = stocktake_pack(stocktake_context(stocktake))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    name = f"stocktake-{stocktake.held_on:%Y-%m-%d}-{stocktake.pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
