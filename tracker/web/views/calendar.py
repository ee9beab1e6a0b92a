"""The calendar: a month of deadlines, milestones and event starts, and each person's private iCalendar
feed of deadlines. The feed's URL carries the person's token; resetting the token revokes the old URL."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import permissions, selectors, workflow
from tracker.filters import CURRENT
from tracker.models import Milestone, Presidency, Role, StaffProfile
from tracker.models.people import new_feed_token
from tracker.web import ical
from tracker.web.common import for_presidency, presidency_on_screen, today, web_login_required
from tracker.web.forms import active_filter_count, board_filterset
from tracker.web.views import people

_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


def date_basis_text(item: object) -> str:
    """What the item's date rests on, in the words the pages use (one template for both)."""
    if not getattr(item, "date_basis", ""):
        return ""
    return render_to_string("tracker/partials/date_basis_text.html", {"item": item}).strip()


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _month(value: str | None, default: dt.date) -> dt.date:
    """The month asked for as YYYY-MM; anything else (or a year whose neighbouring months the calendar
    grid cannot reach, such as 0001 or 9999) shows the default month."""
    match = _MONTH.fullmatch(value or "")
    if match is None:
        return default.replace(day=1)
    year, month = int(match[1]), int(match[2])
    if not (dt.MINYEAR < year < dt.MAXYEAR and 1 <= month <= 12):
        return default.replace(day=1)
    return dt.date(year, month, 1)


def profile_for(user) -> StaffProfile:
    """The user's staff profile, created (as a viewer) the first time a feed link is asked for."""
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={"role": Role.VIEWER})
        return profile


@web_login_required
@for_presidency("calendar")
def calendar_month(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    # Default to this month, kept inside the presidency's period (after it ends: its last month).
    default = min(max(day, presidency.period_start), presidency.period_end)
    first = _month(request.GET.get("month"), default)
    filterset = board_filterset(request.GET, presidency, selectors.activity_list(presidency=presidency), request)
    month = selectors.calendar_month(filterset.qs, first.year, first.month, today=day)
    profile = profile_for(request.user)
    feed_url = request.build_absolute_uri(reverse("web:calendar-feed", args=[profile.calendar_token]))
    current = selectors.current_presidency(day)
    if current is None or current.pk != presidency.pk:
        # Another presidency is on screen (the header's choice): the link names it, since a calendar program
        # has no session. Without it the feed follows the current presidency, rotating with the chair.
        feed_url = f"{feed_url}?presidency={presidency.pk}"
    context = {
        "page": "calendar",
        "presidency": presidency,
        "month": month,
        "filter_form": filterset.form,
        "active_filters": active_filter_count(filterset),
        "filters": request.GET.urlencode(),
        "filter_query": request.GET,
        "feed_url": feed_url,
        "body_feed_url": f"{feed_url}{'&' if '?' in feed_url else '?'}body={profile.body_id}" if profile.body_id
        else "",
        "body": profile.body,
        "weekdays": [dt.date(2023, 1, 2) + dt.timedelta(days=n) for n in range(7)],  # a Monday, then the week
    }
    context.update(people.saved_views_context(request, "calendar"))  # the saved views menu (issue 13)
    return render(request, "tracker/calendar.html", context)


@require_POST
@web_login_required
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    """Give the person a new feed token: the old feed URL stops working at once."""
    profile = profile_for(request.user)
    profile.calendar_token = new_feed_token()
    profile.save(update_fields=["calendar_token"])
    messages.success(request, _("Your calendar link was reset. The old link no longer works; subscribe again "
                                "with the new one."))
    return redirect("web:calendar")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The deadlines (and milestones) of a presidency as iCalendar, for the token's owner: `?presidency=<id>`
    (the calendar page adds it when another presidency is on screen), else the current one. Public URL,
    private token: no session is needed, as calendar programs cannot log in."""
    profile = StaffProfile.objects.select_related("user", "body").filter(calendar_token=token).first()
    if profile is None or permissions.role_of(profile.user) is None:
        raise Http404(_("No such calendar."))
    day = today()
    presidency = _feed_presidency(request, day)
    if presidency is None:
        raise Http404(_("No such calendar."))
    with translation.override(profile.language):
        filterset = board_filterset(request.GET, presidency, selectors.activity_list(presidency=presidency), request)
        activities = list(filterset.qs.select_related(None).prefetch_related(None).select_related("responsible_body"))
        milestones = Milestone.objects.filter(
            activity__in=[a.pk for a in activities], due_date__isnull=False
        ).select_related("activity").order_by("due_date", "order")
        host = request.get_host().split(":")[0]
        events = []
        for activity in activities:
            url = request.build_absolute_uri(reverse("web:activity", args=[activity.pk]))
            state = workflow.label(activity.status)
            events.append(ical.Event(
                uid=f"activity-{activity.pk}-due@{host}",
                day=activity.due_date,
                summary=_("Deadline: %(title)s") % {"title": activity.display_title},
                description=_join(
                    _("Status: %(status)s. Progress: %(progress)s%%. Responsible: %(body)s.") % {
                        "status": state, "progress": activity.progress,
                        "body": activity.responsible_body.display_name},
                    date_basis_text(activity),
                ),
                url=url,
                categories=state,
                stamp=activity.updated_at,
            ))
        for milestone in milestones:
            events.append(ical.Event(
                uid=f"milestone-{milestone.pk}@{host}",
                day=milestone.due_date,
                summary=(_("Milestone: %(title)s") % {"title": milestone.display_title})
                + (" ✓" if milestone.done else ""),
                description=_join(milestone.activity.display_title, date_basis_text(milestone)),
                url=request.build_absolute_uri(reverse("web:activity", args=[milestone.activity_id])),
            ))
        name = _("%(organisation)s %(year)s deadlines") % {
            "organisation": presidency.display_organisation_short, "year": presidency.period_start.year}
        body = ical.calendar(name, events, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def _feed_presidency(request: HttpRequest, day: dt.date) -> Presidency | None:
    """The presidency a feed URL names (an id, or `current`), else the one on screen; None for a name that
    is no presidency (the feed answers 404, never 500)."""
    raw = request.GET.get("presidency")
    if raw is None:
        return presidency_on_screen(day)
    if raw == CURRENT:
        return selectors.current_presidency(day)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return Presidency.objects.select_related("chair_state").filter(pk=int(raw)).first()
