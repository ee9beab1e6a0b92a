"""The schedule in the admin and in files: links through the services, baselines frozen, CSV round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factories
from tracker import clock, services
from tracker.imports_schedule import import_links
from tracker.models import Baseline, Dependency
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def mid_presidency(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2023, 3, 15))


@pytest.fixture
def three(priorities, body):
    return [factories.ActivityFactory(priority=priorities[0], responsible_body=body, title=f"Step {n}",
                                      code=f"step-{n}", start_date=D(2023, n + 2, 1), due_date=D(2023, n + 2, 28))
            for n in (1, 2, 3)]


def test_admin_links_go_through_the_services_and_name_the_cycle(signed_in, coordinator, three):
    a, b, c = three
    client = signed_in(coordinator)
    assert client.get(reverse("admin:tracker_dependency_changelist")).status_code == 200
    add = reverse("admin:tracker_dependency_add")
    for pred, succ in ((a, b), (b, c)):
        response = client.post(add, {"predecessor": pred.pk, "successor": succ.pk, "kind": "fs"})
        assert response.status_code == 302
    response = client.post(add, {"predecessor": c.pk, "successor": a.pk, "kind": "fs"}, follow=True)
    assert "would make a cycle" in response.content.decode() and Dependency.objects.count() == 2
    link = Dependency.objects.first()
    assert client.get(reverse("admin:tracker_dependency_change", args=[link.pk])).status_code == 200
    client.post(reverse("admin:tracker_dependency_delete", args=[link.pk]), {"post": "yes"})
    assert Dependency.objects.count() == 1


def test_admin_baselines_need_a_reason_and_stay_frozen(signed_in, coordinator, editor, presidency, three):
    client = signed_in(coordinator)
    add = reverse("admin:tracker_baseline_add")
    assert client.post(add, {"presidency": presidency.pk, "reason": "Approved in March"}).status_code == 302
    baseline = Baseline.objects.get()
    assert baseline.items.count() == 3
    page = client.get(reverse("admin:tracker_baseline_change", args=[baseline.pk]))
    assert page.status_code == 200 and "Step 1" in page.content.decode()
    client.post(reverse("admin:tracker_baseline_change", args=[baseline.pk]),
                {"presidency": presidency.pk, "reason": "changed"})
    baseline.refresh_from_db()
    assert baseline.reason == "Approved in March"
    assert client.post(reverse("admin:tracker_baseline_delete", args=[baseline.pk]),
                       {"post": "yes"}).status_code == 403
    assert signed_in(editor).get(add).status_code == 403


def test_links_csv_round_trip_all_or_nothing(signed_in, viewer, three, tmp_path):
    a, b, c = three
    services.dependency_create(actor=Actor.system(), predecessor=a, successor=b)
    services.dependency_create(actor=Actor.system(), predecessor=b, successor=c, kind="ff")
    response = signed_in(viewer).get("/reports/links.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["predecessor,predecessor_milestone,successor,kind", "step-1,,step-2,fs",
                                 "step-2,,step-3,ff"]
    Dependency.objects.all().delete()
    assert import_links(actor=Actor.system(), text=text) == 2
    Dependency.objects.all().delete()
    bad = text + "step-3,,step-1,fs\n"
    with pytest.raises(Exception) as refused:
        import_links(actor=Actor.system(), text=bad)
    assert "Row 4" in str(refused.value.field_errors()) and "cycle" in str(refused.value.field_errors())
    assert Dependency.objects.count() == 0  # all or nothing
    path = tmp_path / "links.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError, match="Row 4"):
        call_command("import_links", str(path))
    path.write_text(text, encoding="utf-8")
    call_command("import_links", str(path))
    assert Dependency.objects.count() == 2
