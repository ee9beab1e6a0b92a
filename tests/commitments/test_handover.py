"""Handing over to the next presidency: carry-over through the services, 'handed over' in the workflow,
the handover page and its Word document."""

import datetime as dt
import io

import pytest
from docx import Document

from tests import factories
from tracker import clock, services
from tracker.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from tracker.models import Activity, Presidency, ProgressUpdate
from tracker.services import commitments as services_commitments
from tracker.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def late_in_the_year(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2023, 12, 1))


@pytest.fixture
def successor(presidency):
    kz = factories.MemberStateFactory(code="KZ", name="Kazakhstan")
    nxt = Presidency.objects.create(code="csto-2024-kz", organisation="CSTO", chair_state=kz, predecessor=presidency,
                                    period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    for n in (1, 2, 3, 4):
        factories.PriorityFactory(presidency=nxt, number=n)
    return nxt


def test_a_coordinator_carries_an_open_activity_over(activity, successor, coordinator_actor):
    services.progress_report(actor=coordinator_actor, activity=activity, progress=30, note="Concept agreed")
    fresh = Activity.objects.get(pk=activity.pk)
    copy = services_commitments.activity_carry_over(actor=coordinator_actor, activity=fresh)
    activity.refresh_from_db()
    assert activity.status == Status.HANDED_OVER
    assert copy.priority.presidency == successor and copy.priority.number == activity.priority.number
    assert (copy.title, copy.status, copy.progress) == (activity.title, Status.PLANNED, 0)
    assert copy.carried_over_from == activity and copy.due_date == successor.period_end
    assert ProgressUpdate.objects.filter(activity=activity, new_status=Status.HANDED_OVER).exists()
    assert not activity.is_overdue(dt.date(2024, 6, 1))  # closed: never overdue


def test_a_carried_over_activity_cannot_be_carried_over_twice(activity, successor, coordinator_actor):
    services_commitments.activity_carry_over(actor=coordinator_actor, activity=activity)
    with pytest.raises(TransitionNotAllowed):
        services_commitments.activity_carry_over(actor=coordinator_actor, activity=Activity.objects.get(pk=activity.pk))
    assert Activity.objects.filter(carried_over_from=activity).count() == 1


def test_handed_over_is_reached_only_by_carrying_over_and_is_final(activity, successor, coordinator_actor):
    with pytest.raises(TransitionNotAllowed):
        services.activity_transition(actor=coordinator_actor, activity=activity, status=Status.HANDED_OVER)
    services_commitments.activity_carry_over(actor=coordinator_actor, activity=activity)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.activity_transition(actor=coordinator_actor, activity=Activity.objects.get(pk=activity.pk),
                                     status=Status.IN_PROGRESS)
    assert "handed over" in refused.value.message


def test_refusals_change_nothing(activity, presidency, coordinator_actor, editor_actor):
    with pytest.raises(InvalidInput) as refused:  # no successor recorded
        services_commitments.activity_carry_over(actor=coordinator_actor, activity=activity)
    assert "no successor" in refused.value.message
    with pytest.raises(NotPermitted):
        services_commitments.activity_carry_over(actor=editor_actor, activity=activity)
    activity.refresh_from_db()
    assert activity.status == Status.PLANNED and Activity.objects.count() == 1


def test_a_done_activity_is_not_carried_over(activity, successor, coordinator_actor):
    services.activity_transition(actor=coordinator_actor, activity=activity, status=Status.DONE)
    with pytest.raises(TransitionNotAllowed):
        services_commitments.activity_carry_over(actor=coordinator_actor, activity=Activity.objects.get(pk=activity.pk))
    assert Activity.objects.count() == 1


def test_the_handover_page_lists_open_work_and_carries_it_over(signed_in, coordinator, activity, successor):
    client = signed_in(coordinator)
    html = client.get("/handover/").content.decode()
    open_section = html[html.index('data-testid="handover-open"'):]
    assert activity.title in open_section and "by-mod@example.org" in open_section
    assert f'action="/activities/{activity.pk}/carry-over/"' in html
    assert client.post(f"/activities/{activity.pk}/carry-over/").status_code == 302
    html = client.get("/handover/").content.decode()
    done = html[html.index('data-testid="handover-done"'):]
    assert activity.title in done and "Kazakhstan" in done
    assert client.post(f"/activities/{activity.pk}/carry-over/").status_code == 409  # not twice


def test_others_see_no_carry_over_button_and_are_refused(signed_in, editor, activity, successor):
    client = signed_in(editor)
    assert "carry-over" not in client.get("/handover/").content.decode()
    assert client.post(f"/activities/{activity.pk}/carry-over/").status_code == 403
    assert Activity.objects.get(pk=activity.pk).status == Status.PLANNED


def test_the_handover_word_document(signed_in, viewer, activity, successor):
    response = signed_in(viewer).get("/handover.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert activity.title in text and "Ministry of Defence of Belarus" in text
    assert "Kazakhstan" in text and "Pending decisions" in text
