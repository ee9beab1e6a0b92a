"""Reports: progress per priority and per body, the CSV export of the (filtered) board, and the printable
year report of the presidency."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tracker import selectors
from tracker.exports import csv_response
from tracker.models import Body, Presidency
from tracker.selectors import commitments as selectors_commitments
from tracker.selectors import delivery as selectors_delivery
from tracker.web.common import for_presidency, presidency_on_screen, today, web_login_required
from tracker.web.forms import board_filterset

CSV_COLUMNS = [
    "id", "code", "priority", "title", "title_ru", "kind", "status", "start_date", "due_date", "completed_date",
    "progress", "overdue", "responsible_body", "lead_state", "participating_states", "location",
    "external_source", "external_id", "version", "updated_at", "date_basis", "date_basis_note",
    "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at", "owner",
]


@web_login_required
@for_presidency("reports")
def reports(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    by_body = selectors.rollups_by_body(presidency, day)
    bodies = Body.objects.in_bulk([body_id for body_id, _ in by_body])
    body_rows = sorted(
        ((bodies[body_id], rollup) for body_id, rollup in by_body if body_id in bodies),
        key=lambda row: row[0].display_name,
    )
    context = {
        "page": "reports",
        "presidency": presidency,
        "rollup": selectors.presidency_rollup(presidency, day),
        "priority_rows": selectors.priority_rollups(presidency, day),
        "body_rows": body_rows,
        "today": day,
    }
    return render(request, "tracker/reports.html", context)


@web_login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The board's activities as CSV, with the board's filters from the query string. Stable, machine-
    readable columns (codes, ISO dates) in UTF-8 with a byte-order mark, which spreadsheet programs need
    to read Cyrillic."""
    day = today()
    presidency = presidency_on_screen(day)
    if presidency is None:
        return HttpResponse("\ufeff" + ",".join(CSV_COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    filterset = board_filterset(request.GET, presidency, selectors.activity_list(presidency=presidency), request)
    activities = filterset.qs

    def rows():
        for a in activities:
            yield [
                a.pk, a.code or "", a.priority.number, a.title, a.title_ru, a.kind, a.status,
                a.start_date.isoformat() if a.start_date else "", a.due_date.isoformat(),
                a.completed_date.isoformat() if a.completed_date else "", a.progress,
                "yes" if a.is_overdue(day) else "no",
                a.responsible_body.code, a.lead_state.code if a.lead_state else "",
                " ".join(s.code for s in a.participating_states.all()), a.location,
                a.external_source, a.external_id, a.version, a.updated_at.isoformat(),
                a.date_basis, a.date_basis_note, a.date_basis_note_ru, a.date_confirmed_by,
                a.date_confirmed_at.isoformat() if a.date_confirmed_at else "",
                a.owner.get_username() if a.owner_id else "",
            ]

    return csv_response("activities", CSV_COLUMNS, rows())


@web_login_required
@for_presidency("reports")
def year_report(request: HttpRequest, *, presidency: Presidency, day: dt.date) -> HttpResponse:
    sections = selectors.year_report(presidency, day)
    trends = selectors_delivery.rating_trends(presidency)
    for priority, _rollup, _activities in sections:
        priority.rating_trend = trends.get(priority.pk, [])  # the year's ratings (tracker/selectors/delivery.py)
    context = {
        "page": "reports",
        "presidency": presidency,
        "rollup": selectors.presidency_rollup(presidency, day),
        "sections": sections,
        "delivered": selectors_commitments.declared_vs_delivered(presidency, day),
        "today": day,
        "generated": timezone.localtime(),
    }
    return render(request, "tracker/year_report.html", context)
