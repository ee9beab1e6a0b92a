"""Document writes: who may upload, the size and kind rules, versions, the event, and nothing left behind
by a refused or interrupted upload."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests import factories
from tests.documents import samples
from tests.documents.conftest import stored_files
from tracker import documents as rules
from tracker import events, services
from tracker.errors import InvalidInput, NotPermitted, TooLarge
from tracker.models import Channel, Document, DocumentVersion, OutboxEvent
from tracker.permissions import Actor
from tracker.selectors import documents as document_selectors


@pytest.mark.parametrize(("content", "code"), [
    (samples.PDF, "pdf"), (samples.DOCX, "docx"), (samples.XLSX, "xlsx"), (samples.PPTX, "pptx"),
    (samples.odt(), "odt"), (samples.OLE, "ole"), (samples.PNG, "png"), (samples.JPEG, "jpeg"),
    (samples.CSV, "text"), (b"plain words\r\n", "text"),
])
def test_allowed_kinds_are_recognised_from_content(content, code):
    assert rules.sniff(samples.upload(content, "whatever.bin")).code == code


@pytest.mark.parametrize("content", [samples.EXE, samples.plain_zip(), b"PK\x03\x04broken", b"\x00\x01binary", b""])
def test_other_content_is_refused_whatever_the_name(content):
    assert rules.sniff(samples.upload(content, "report.pdf")) is None


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\me\\Minutes 12.05.pdf", "Minutes 12.05.pdf"),
    ("<script>alert(1)</script>.pdf", "script.pdf"),  # the "/" ends a path: only the last part is a name
    ("<img src=x onerror=alert(1)>.pdf", "img src_x onerror_alert(1).pdf"),
    ("report.exe", "report.exe.pdf"),
    ("Протокол заседания.PDF", "Протокол заседания.pdf"),
    ("...", "document.pdf"),
    ("Concept note – exercises «Взаимодействие».pdf", "Concept note – exercises «Взаимодействие».pdf"),
    ('a<b>:c"d|e?.pdf', "a_b_c_d_e.pdf"),
    ("a\x00b\nc.pdf", "abc.pdf"),
])
def test_file_names_are_cleaned(raw, clean):
    assert rules.clean_file_name(raw, rules.PDF) == clean


def test_editor_adds_a_document_and_a_new_version_keeping_the_first(activity, editor_actor, documents_folder):
    first = services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                                  title="Concept note", kind="concept_note")
    second = services.document_add_version(actor=editor_actor, document=first.document,
                                           upload=samples.upload(samples.DOCX, "concept-note-v2.docx"))
    assert (first.number, second.number) == (1, 2)
    [document] = document_selectors.activity_documents(activity)
    assert [v.number for v in document.all_versions] == [2, 1]
    assert document.version_count == 2
    assert second.file_type == "docx" and second.file_name == "concept-note-v2.docx"
    assert len(stored_files(documents_folder)) == 2
    with services.documents.open_version(first) as handle:
        assert handle.read() == samples.PDF
    added = OutboxEvent.objects.filter(event_type=events.DOCUMENT_ADDED).order_by("created_at")
    assert [e.payload["document"]["version"] for e in added] == [1, 2]
    assert all(e.activity_id == activity.pk and e.payload["activity"]["id"] == activity.pk for e in added)


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_those_who_may_not_edit_the_activity_may_not_upload(request, activity, who, documents_folder):
    actor = Actor.for_user(request.getfixturevalue(who), Channel.WEB)
    with pytest.raises(NotPermitted):
        services.document_add(actor=actor, activity=activity, upload=samples.upload(samples.PDF),
                              title="Agenda", kind="agenda")
    assert not Document.objects.exists() and stored_files(documents_folder) == []


def test_a_file_over_the_limit_is_refused_with_the_limit_and_nothing_stored(settings, activity, editor_actor,
                                                                            documents_folder):
    settings.DOCUMENTS_MAX_BYTES = 2048
    with pytest.raises(TooLarge) as refused:
        services.document_add(actor=editor_actor, activity=activity, title="Big", kind="report",
                              upload=samples.upload(samples.PDF + b"0" * 4096))
    assert "2 KB" in refused.value.message
    assert not DocumentVersion.objects.exists() and stored_files(documents_folder) == []


def test_a_disallowed_kind_is_refused_naming_the_allowed_kinds(activity, editor_actor, documents_folder):
    with pytest.raises(InvalidInput) as refused:
        services.document_add(actor=editor_actor, activity=activity, title="Tool", kind="other",
                              upload=samples.upload(samples.EXE, "minutes.pdf"))
    assert "PDF" in refused.value.errors["file"][0] and "Word (DOCX)" in refused.value.errors["file"][0]
    assert not Document.objects.exists() and stored_files(documents_folder) == []


def test_title_and_kind_are_checked(activity, editor_actor, documents_folder):
    with pytest.raises(InvalidInput) as refused:
        services.document_add(actor=editor_actor, activity=activity, title=" \x00", kind="poem",
                              upload=samples.upload(samples.PDF))
    assert set(refused.value.errors) == {"title", "kind"}
    assert stored_files(documents_folder) == []


def test_an_upload_interrupted_after_the_file_was_written_leaves_no_row_and_no_file(
        monkeypatch, activity, editor_actor, documents_folder):
    """The database fails after the file is stored (here: the outbox row cannot be written)."""

    def broken_emit(*args, **kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(events, "emit", broken_emit)
    with pytest.raises(ConnectionError):
        services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                              title="Minutes", kind="minutes")
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files(documents_folder) == []


def test_a_new_version_interrupted_leaves_the_first_alone(monkeypatch, activity, editor_actor, documents_folder):
    first = services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                                  title="Minutes", kind="minutes")
    monkeypatch.setattr(events, "emit", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("gone")))
    with pytest.raises(ConnectionError):
        services.document_add_version(actor=editor_actor, document=first.document,
                                      upload=samples.upload(samples.PNG, "photo.png"))
    assert list(DocumentVersion.objects.values_list("number", flat=True)) == [1]
    assert Document.objects.get().version_count == 1
    assert len(stored_files(documents_folder)) == 1


def test_deleting_the_activity_keeps_its_documents_for_the_coordinators(activity, editor_actor, coordinator_actor):
    version = services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                                    title="Report", kind="report")
    services.activity_delete(actor=coordinator_actor, activity=activity)
    document = Document.objects.get()
    assert document.activity_deleted and document.activity_ref == activity.pk
    assert document.activity_title == "Joint exercises in Belarus"
    assert [d.pk for d in document_selectors.deleted_activity_documents()] == [document.pk]
    with services.documents.open_version(version) as handle:
        assert handle.read() == samples.PDF
    with pytest.raises(NotPermitted):  # history does not change
        services.document_add_version(actor=coordinator_actor, document=document, upload=samples.upload(samples.PDF))


def test_sources_and_outcomes_take_documents_from_coordinators(priorities, coordinator_actor, editor_actor):
    commitment = factories.CommitmentFactory(priority=priorities[0])
    text = services.document_add(actor=coordinator_actor, source=commitment.source, title="Press release",
                                 kind="official_text", upload=samples.upload(samples.PDF))
    evidence = services.document_add(actor=coordinator_actor, commitment=commitment, title="Exercise report",
                                     kind="evidence", upload=samples.upload(samples.DOCX, "report.docx"))
    assert text.document.owner == "source" and evidence.document.owner == "outcome"
    assert [d.pk for d in document_selectors.source_documents(commitment.source)] == [text.document.pk]
    assert [d.pk for d in document_selectors.outcome_documents(commitment)] == [evidence.document.pk]
    assert not OutboxEvent.objects.filter(event_type=events.DOCUMENT_ADDED).exists()  # not an activity's
    with pytest.raises(NotPermitted):
        services.document_add(actor=editor_actor, commitment=commitment, title="Mine", kind="evidence",
                              upload=samples.upload(samples.PDF))


def test_a_document_belongs_to_exactly_one_owner_in_the_database(activity, priorities, coordinator):
    from django.db import IntegrityError
    from django.utils import timezone

    commitment = factories.CommitmentFactory(priority=priorities[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(owner="activity", activity=activity, activity_ref=activity.pk,
                                commitment=commitment, title="Both", created_at=timezone.now(),
                                created_by_name="x")
