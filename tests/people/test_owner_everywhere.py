"""The owner where the issue asks for it: the card, the activity page, the timeline and the year report (at a
cost that does not grow with the owners), and the CSV import (by username, refused for someone who cannot
edit the activity)."""

from __future__ import annotations

import pytest
import tablib
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tracker.models import Activity

pytestmark = pytest.mark.django_db

PAGES = ["/board/", "/timeline/", "/reports/year/"]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_is_on_the_card_the_activity_page_the_timeline_and_the_year_report(activity, editor, viewer):
    activity.owner = editor
    activity.save()
    client = login(viewer)
    for path in PAGES:
        page = client.get(path).content.decode()
        assert "editor" in page, path
    assert 'data-owner="editor"' in client.get("/board/").content.decode()
    assert "timeline__owner" in client.get("/timeline/").content.decode()
    assert 'data-testid="owner">editor<' in client.get(f"/activities/{activity.pk}/").content.decode()


def test_owners_cost_no_query_per_activity(priorities, body, editor, coordinator, viewer):
    client = login(viewer)
    counts: dict[str, list[int]] = {path: [] for path in PAGES}
    for total in (2, 20):
        owner_of = [editor, coordinator]
        while Activity.objects.count() < total:
            n = Activity.objects.count()
            factories.ActivityFactory(priority=priorities[n % len(priorities)], responsible_body=body,
                                      title=f"Owned {n}", owner=owner_of[n % 2])
        for path in PAGES:
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            counts[path].append(len(captured))
    for path, (few, many) in counts.items():
        assert many <= few, (path, few, many)


HEADERS = ["code", "presidency", "priority", "title", "kind", "status", "start_date", "due_date", "progress",
           "responsible_body", "lead_state", "participating_states", "owner"]


def _import(client, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = tablib.Dataset(*rows, headers=HEADERS).export("csv").encode()
    return client.post(reverse("admin:tracker_activity_import"),
                       {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("plan.csv", content)})


def test_the_csv_import_names_the_owner_and_refuses_one_who_cannot_edit(
        presidency, priorities, body, editor, outsider, coordinator):
    state = factories.MemberStateFactory(code="BY")
    coordinator.is_staff = True
    coordinator.save()
    client = login(coordinator)
    row = ["imp-1", presidency.code, "3", "Staff talks", "meeting", "planned", "2023-03-01", "2023-04-01", "0",
           body.code, state.code, state.code]
    refused = _import(client, [[*row, outsider.username]])
    assert refused.context["result"].has_validation_errors()
    assert "cannot own it" in refused.content.decode()
    preview = _import(client, [[*row, editor.username]])
    assert not preview.context["result"].has_errors()
    assert client.post(reverse("admin:tracker_activity_process_import"),
                       preview.context["confirm_form"].initial).status_code == 302
    assert Activity.objects.get(code="imp-1").owner == editor
