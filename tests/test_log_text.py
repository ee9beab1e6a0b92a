"""The progress log and the field history are stored as data and worded in the reader's language; a note sent
alone is logged as a note, not as a progress report."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from tests import factories
from tracker import logtext, services
from tracker.models import Activity, ProgressUpdate
from tracker.permissions import Actor
from tracker.seed import load_seed


@pytest.fixture
def milestone_driven(activity):
    factories.MilestoneFactory(activity=activity, order=1, title="Plan agreed", title_ru="План согласован")
    factories.MilestoneFactory(activity=activity, order=2, title="Exercise held", title_ru="Учения проведены")
    return activity


def _page(user, activity, language: str) -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(f"/activities/{activity.pk}/").content.decode()


def _log_section(html: str) -> str:
    return html[html.index('id="log-title"'):html.index('id="history-title"')]


def test_a_note_alone_is_logged_as_a_note_not_as_progress_reported_at_zero(milestone_driven, editor, editor_actor):
    services.progress_report(actor=editor_actor, activity=milestone_driven, note="Host nation confirmed dates")
    row = ProgressUpdate.objects.get(activity=milestone_driven)
    assert row.event == logtext.NOTE and row.note == "Host nation confirmed dates"
    log = _log_section(_page(editor, milestone_driven, "en"))
    assert "Host nation confirmed dates" in log
    assert "Progress reported" not in log


def test_a_progress_value_sent_again_is_still_logged_as_a_report(activity, editor, editor_actor):
    services.progress_report(actor=editor_actor, activity=activity, progress=0, note="Still waiting")
    log = _log_section(_page(editor, activity, "en"))
    assert "Progress reported: 0%" in log and "Still waiting" in log


def test_milestone_notes_are_worded_in_the_readers_language_with_the_milestones_own_title(
    milestone_driven, editor, editor_actor
):
    milestone = milestone_driven.milestones.get(order=1)
    services.milestone_toggle(actor=editor_actor, milestone=milestone, done=True)
    row = ProgressUpdate.objects.get(activity=milestone_driven)
    assert row.event == logtext.MILESTONE_DONE
    assert row.event_params == {"title": "Plan agreed", "title_ru": "План согласован"}
    assert row.note == ""  # nothing English stored as text
    english, russian = _page(editor, milestone_driven, "en"), _page(editor, milestone_driven, "ru")
    assert "Milestone Plan agreed marked done" in _log_section(english)
    assert "Контрольная точка «План согласован» отмечена как выполненная" in _log_section(russian)
    assert "marked done" not in russian and "Plan agreed" not in _log_section(russian)


def test_seeded_activities_and_change_reasons_read_in_russian(db, coordinator, editor_actor):
    load_seed()
    activity = Activity.objects.filter(milestones__isnull=False).first()
    services.milestone_toggle(actor=Actor.system(), milestone=activity.milestones.first(), done=True)
    html = _page(coordinator, activity, "ru")
    assert "Загружено из выступления председательства" in html
    for english in ("Seeded from", "system: system", "web: ", "marked done", "Saved without field changes"):
        assert english not in html
    assert "Система — Контрольная точка «" in html  # the field history's reason, worded for the reader


def test_the_field_history_hides_saves_that_changed_no_shown_field(milestone_driven, editor, editor_actor):
    services.progress_report(actor=editor_actor, activity=milestone_driven, note="A note, no field change")
    html = _page(editor, milestone_driven, "en")
    history = html[html.index('id="history-title"'):]
    assert "Saved without field changes" not in history
    assert history.count("<li>") == 1  # only the creation record


def test_a_change_reason_is_data_that_fits_its_column_even_for_long_titles():
    reason = logtext.change_reason(channel="web", actor="editor", event=logtext.MILESTONE_ADDED,
                                   params={"title": "T" * 300, "title_ru": "Т" * 300})
    assert len(reason) <= logtext.REASON_LENGTH
    assert json.loads(reason)[:3] == ["web", "editor", logtext.MILESTONE_ADDED]
    data = logtext.reason_data(reason)
    title, title_ru = data["params"]["title"], data["params"]["title_ru"]
    assert title.endswith("…") and title_ru.endswith("…") and abs(len(title) - len(title_ru)) <= 1  # equal shares
    assert len(title) >= 20


def test_old_english_reasons_and_notes_are_read_as_data():
    with translation.override("ru"):
        assert logtext.describe_reason("system: system — Milestone Plan agreed marked done") == (
            "Система — Контрольная точка «Plan agreed» отмечена как выполненная")
        assert logtext.describe_reason("web: editor") == "Веб-доска · editor"
        assert logtext.describe_reason("api: ministry-x — Command post exercise completed") == (
            "API · ministry-x — Command post exercise completed")


def test_the_migration_turns_old_english_notes_into_events(activity):
    migration = importlib.import_module("tracker.migrations.0007_log_events")
    rows = [
        ProgressUpdate.objects.create(activity=activity, actor_name="system", channel="system", note=note)
        for note in ("Seeded from the presidency's speech", "Milestone Plan agreed marked not done",
                     "Milestone added: Exercise held", "The host confirmed")
    ]
    migration.notes_to_events(apps, None)
    got = [(r.event, r.event_params, r.note) for r in ProgressUpdate.objects.filter(pk__in=[r.pk for r in rows])
           .order_by("pk")]
    assert got == [
        ("seeded", {}, ""),
        ("milestone_undone", {"title": "Plan agreed"}, ""),
        ("milestone_added", {"title": "Exercise held"}, ""),
        ("", {}, "The host confirmed"),  # a person's own note stays as written
    ]


def test_the_api_log_keeps_its_shape_and_adds_the_event(milestone_driven, editor_actor, coordinator):
    from tests.api.conftest import client_for_user

    services.milestone_toggle(actor=editor_actor, milestone=milestone_driven.milestones.get(order=2), done=True)
    api = client_for_user(coordinator)
    row = api.get(f"/api/v1/activities/{milestone_driven.pk}/updates/", HTTP_ACCEPT_LANGUAGE="ru").json()["results"][0]
    assert row["note"] == "Контрольная точка «Учения проведены» отмечена как выполненная"
    assert row["event"] == "milestone_done" and row["event_params"]["title"] == "Exercise held"
    history = api.get(f"/api/v1/activities/{milestone_driven.pk}/history/").json()["results"][0]
    assert history["reason"].startswith("web: editor — ")
    assert history["reason_data"]["event"] == "milestone_done"
