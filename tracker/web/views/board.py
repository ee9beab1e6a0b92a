"""The kanban board (a lane per priority, a column per status) and the card move it offers.

The filters are the shared ActivityFilter read from the query string, so a filtered board is a URL that
can be bookmarked. A move calls services.activity_transition with the version the card was rendered
with: a refused move or a card changed meanwhile answers with the workflow's or the conflict's message,
and the lane is drawn again from the database, so the card is back where it really is.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import caching, permissions, selectors, services, workflow
from tracker.filters import ActivityFilter
from tracker.models import Activity, Body, Presidency, Role
from tracker.permissions import Actor
from tracker.selectors import delivery as selectors_delivery
from tracker.web.common import (
    actor_for,
    attempt_write,
    for_presidency,
    safe_next,
    today,
    web_login_required,
)
from tracker.web.forms import MoveForm, active_filter_count, board_filterset, owner_key
from tracker.web.views import people

#: Cards drawn per column of a lane; the column's count stays true and a link shows them all. 12, not 25:
#: a cold render is template work proportional to the cards drawn (issue 18: 25 → 12 halved it).
CELL_LIMIT = 12


def _decorate(lanes: list[selectors.BoardLane], actor: Actor, presidency: Presidency | None = None) -> None:
    """What each card offers this person: whether they may move it, and where to; and its rating (one query)."""
    if presidency is not None:
        cards = [card for lane in lanes for column in lane.columns for card in column.cards]
        selectors_delivery.attach_ratings(cards, period_start=presidency.period_start, today=today())
    for lane in lanes:
        for column in lane.columns:
            for card in column.cards:
                card.can_edit = permissions.can_edit_activity(actor, card)
                card.targets = " ".join(workflow.allowed_targets(card.status)) if card.can_edit else ""


#: The query parameter that asks an editor's board for every body's activities, not only their own.
ALL_BODIES = "all"


def default_query(query: QueryDict, actor: Actor) -> tuple[QueryDict, int | None]:
    """The board an editor opens shows their body's work: with no filters set, an editor of one body gets
    that body's filter. Returns the query to use and the body it defaulted to (None: the query as given)."""
    if query or actor.role != Role.EDITOR or not actor.body_ids or len(actor.body_ids) != 1:
        return query, None
    (body_id,) = actor.body_ids
    own = QueryDict(mutable=True)
    own["body"] = str(body_id)
    return own, body_id


def _lanes(
    request: HttpRequest,
    presidency: Presidency,
    query: QueryDict,
    priority_ids: list[int] | None = None,
    filterset: ActivityFilter | None = None,
    hide_empty: bool = False,
) -> tuple:
    filterset = filterset or board_filterset(query, presidency, selectors.activity_list(presidency=presidency), request)
    activities = filterset.qs  # validates the filters
    chosen = getattr(filterset.form, "cleaned_data", {}).get("priority")  # a bound filter's valid choice
    if priority_ids is None and chosen:
        # Filtering by priority shows only those priorities' lanes, not empty lanes for the others.
        priority_ids = [priority.pk for priority in chosen]
    limit = None if query.get("full") == "1" else CELL_LIMIT
    lanes = selectors.board_columns(presidency, activities, today=today(), limit=limit, priority_ids=priority_ids)
    _decorate(lanes, actor_for(request), presidency)
    if hide_empty and active_filter_count(filterset):
        lanes = [lane for lane in lanes if lane.total]  # a filtered board shows only lanes with matches
    return filterset, lanes


@web_login_required
@for_presidency("board")
def board(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    actor = actor_for(request)
    query, own_body_id = default_query(request.GET, actor)
    filterset = board_filterset(query, presidency, selectors.activity_list(presidency=presidency), request)
    filterset.is_valid()  # the filter bar shows its errors even when the lanes come from the cache

    def results() -> str:
        lanes = _lanes(request, presidency, query, filterset=filterset, hide_empty=True)[1]
        return render_to_string("tracker/partials/board_results.html", {
            "lanes": lanes,
            "total": sum(lane.total for lane in lanes),
            "filter_query": query,
            "filters": query.urlencode(),
            "can_edit_any": permissions.can_create_activity(actor),
        }, request=request)

    # The lanes' HTML is the same for everyone who may write the same bodies (cards show their move controls).
    key = (presidency.pk, day, query.urlencode(), get_language(), actor.write_scope, owner_key(request, query))
    context = {
        "page": "board",
        "presidency": presidency,
        "filter_form": filterset.form,
        "active_filters": active_filter_count(filterset),
        "own_body": Body.objects.filter(pk=own_body_id).first() if own_body_id else None,
        "all_bodies_query": ALL_BODIES,
        # Cleared filters mean every body, not the editor's default again.
        "clear_query": f"{ALL_BODIES}=1" if actor.role == Role.EDITOR else "",
        "all_bodies_field": ALL_BODIES if actor.role == Role.EDITOR else "",
        "results": caching.cached("board", key, results),
        "status_labels": {status: str(label) for status, label in workflow.Status.choices},
    }
    context.update(people.saved_views_context(request, "board"))  # the saved views menu (issue 13)
    return render(request, "tracker/board.html", context)


@require_POST
@web_login_required
def activity_move(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("priority__presidency"), pk=pk)
    form = MoveForm(request.POST)
    outcome = attempt_write(
        request, activity, form, _("The move could not be read; reload the board and try again."),
        lambda data: services.activity_transition(
            actor=actor_for(request), activity=activity, status=data["status"],
            expected_version=data["expected_version"],
        ),
    )
    status, refusal = outcome.status, outcome.refused
    card_message = ""  # a refused move is explained on the card itself, where the person is looking
    if not outcome.message:
        messages.success(request, _("“%(title)s” moved to %(status)s.") % {
            "title": activity.display_title, "status": workflow.label(form.cleaned_data["status"]).lower()})
    elif request.htmx and not refusal and form.is_valid():  # a refusal by the services, after reading the form
        card_message = outcome.message
    else:
        messages.error(request, outcome.message)

    filters = form.data.get("filters", "")
    board_url = reverse("web:board") + (f"?{filters}" if filters else "")
    if not request.htmx:
        if refusal:
            return render(request, "tracker/forbidden.html", {"message": outcome.message, "back": board_url},
                          status=403)
        return redirect(safe_next(request, form.data.get("next"), board_url))
    # htmx: draw the card's lane again from the database, with the board's filters, plus the message.
    query = QueryDict(filters)
    lanes = _lanes(request, activity.priority.presidency, query, priority_ids=[activity.priority_id])[1]
    lane = lanes[0] if lanes else None
    if card_message and not (lane and any(card.pk == pk for column in lane.columns for card in column.cards)):
        messages.error(request, card_message)  # the card is not on this board: say it in the corner instead
        card_message = ""
    context = {"lane": lane, "filter_query": query, "filters": filters, "moved_id": pk, "card_message": card_message}
    return render(request, "tracker/partials/board_lane_response.html", context, status=status)
