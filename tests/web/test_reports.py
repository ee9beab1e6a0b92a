"""Reports: the roll-up per priority and per body, the CSV export of the filtered board, the year report."""

from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.web.conftest import bulk_activities, count_queries

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs need it to read Cyrillic
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_reports_show_progress_per_priority_and_per_body(signed_in, viewer, agenda):
    html = signed_in(viewer).get("/reports/").content.decode()
    by_priority = html[html.index('id="by-priority"'): html.index('id="by-body"')]
    assert "1. Priority 1" in by_priority and "100%" in by_priority
    by_body = html[html.index('id="by-body"'):]
    assert "Ministry of Defence of Belarus" in by_body and "Ministry of Foreign Affairs of Belarus" in by_body


def test_the_csv_export_holds_the_filtered_board(signed_in, viewer, agenda, other_body):
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    agenda["foreign"].participating_states.add(kz)
    response = signed_in(viewer).get(f"/reports/activities.csv?body={other_body.pk}&status=planned")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activities-')
    rows = _csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "Dialogue with China" and row["title_ru"] == "Диалог с Китаем"
    assert (row["status"], row["due_date"], row["overdue"]) == ("planned", "2023-10-31", "yes")
    assert (row["responsible_body"], row["participating_states"], row["priority"]) == ("by-mfa", "KZ", "2")


def test_the_board_links_to_the_export_of_exactly_what_it_shows(signed_in, viewer, agenda):
    client = signed_in(viewer)
    html = client.get("/board/?kind=exercise").content.decode()
    assert 'href="/reports/activities.csv?kind=exercise"' in html
    rows = _csv(client.get("/reports/activities.csv?kind=exercise"))
    assert [row["title"] for row in rows] == ["Joint exercises in Belarus"]


def test_the_year_report_is_printable(signed_in, viewer, agenda):
    html = signed_in(viewer).get("/reports/year/").content.decode()
    assert 'href="/static/css/print.css" media="print"' in html
    assert "Presidency of Belarus in 2023: year report" in html
    assert html.count('class="report__priority"') == 4
    assert "Joint exercises in Belarus" in html and "Overdue" in html
    assert "data-print" in html


def test_reports_and_export_cost_the_same_number_of_queries_for_a_few_or_many_activities(
    signed_in, viewer, priorities, body, other_body
):
    client = signed_in(viewer)
    bulk_activities(priorities, [body, other_body], 8)
    counts_few = [count_queries(client, url)[0] for url in ("/reports/", "/reports/year/", "/reports/activities.csv")]
    bulk_activities(priorities, [body, other_body], 400, prefix="More")
    counts_many = [count_queries(client, url)[0] for url in ("/reports/", "/reports/year/", "/reports/activities.csv")]
    assert counts_few == counts_many
    assert max(counts_many) <= 12
