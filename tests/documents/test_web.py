"""Documents on the web board, for each role: the panel, the plain (no JavaScript) upload form, refusals
shown beside the form, the access-checked download, and the deleted activities' documents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.documents import samples
from tests.documents.conftest import stored_files
from tracker import services
from tracker.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db


def add(client, activity, content=samples.PDF, name="concept-note.pdf", title="Concept note", kind="concept_note"):
    return client.post(reverse("web:activity-document-add", args=[activity.pk]),
                       {"title": title, "kind": kind, "file": samples.upload(content, name)})


def test_editor_uploads_with_the_plain_form_and_sees_it_listed(signed_in, activity, editor, documents_folder):
    client = signed_in(editor)
    page = client.get(reverse("web:activity", args=[activity.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and "At most 25 MB" in page
    response = add(client, activity)
    assert response.status_code == 302 and response["Location"] == reverse("web:activity", args=[activity.pk])
    page = client.get(response["Location"]).content.decode()
    version = DocumentVersion.objects.get()
    assert "Concept note" in page and reverse("web:document-download", args=[version.pk]) in page
    assert "Document added." in page


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_those_who_may_not_edit_see_documents_but_no_upload_form(request, signed_in, activity, editor, who,
                                                                 documents_folder):
    add(signed_in(editor), activity)
    client = signed_in(request.getfixturevalue(who))
    page = client.get(reverse("web:activity", args=[activity.pk])).content.decode()
    assert "Concept note" in page and 'type="file"' not in page
    refused = add(client, activity, title="Mine")
    assert refused.status_code == 403
    assert Document.objects.count() == 1 and len(stored_files(documents_folder)) == 1
    download = client.get(reverse("web:document-download", args=[DocumentVersion.objects.get().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == samples.PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_refusals_are_shown_beside_the_form_with_their_status(settings, signed_in, activity, editor,
                                                              documents_folder):
    client = signed_in(editor)
    settings.DOCUMENTS_MAX_BYTES = 2048
    big = add(client, activity, content=samples.PDF + b"0" * 5000)
    assert big.status_code == 413 and "at most 2 KB" in big.content.decode()
    wrong = add(client, activity, content=samples.EXE, name="minutes.pdf")
    assert wrong.status_code == 400 and "Allowed kinds: PDF" in wrong.content.decode()
    assert not Document.objects.exists() and stored_files(documents_folder) == []


def test_markup_in_titles_and_file_names_is_shown_as_text(signed_in, activity, editor, documents_folder):
    client = signed_in(editor)
    add(client, activity, title="<b>Bold</b><script>alert(1)</script>", name="<img src=x onerror=alert(1)>.pdf")
    page = client.get(reverse("web:activity", args=[activity.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "img src_x onerror_alert(1).pdf" in page


def test_new_version_keeps_the_older_one_listed(signed_in, activity, editor, documents_folder):
    client = signed_in(editor)
    add(client, activity)
    document = Document.objects.get()
    response = client.post(reverse("web:document-version-add", args=[document.pk]),
                           {"file": samples.upload(samples.DOCX, "concept-note-v2.docx")})
    assert response.status_code == 302
    page = client.get(reverse("web:activity", args=[activity.pk])).content.decode()
    assert "concept-note-v2.docx" in page and "Earlier versions" in page and "concept-note.pdf" in page


def test_unknown_version_is_404_and_anonymous_goes_to_login(client, signed_in, activity, editor, documents_folder):
    add(signed_in(editor), activity)
    version = DocumentVersion.objects.get()
    assert signed_in(editor).get(reverse("web:document-download", args=[version.pk + 100])).status_code == 404
    anonymous = client.get(reverse("web:document-download", args=[version.pk]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_x_accel_redirect_hands_the_transfer_to_the_proxy(settings, signed_in, activity, editor, documents_folder):
    add(signed_in(editor), activity)
    settings.DOCUMENTS_X_ACCEL_REDIRECT_PREFIX = "/protected-documents/"
    version = DocumentVersion.objects.get()
    response = signed_in(editor).get(reverse("web:document-download", args=[version.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-documents/" + version.stored_name
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_deleted_activities_documents_are_the_coordinators_history(signed_in, activity, editor, coordinator,
                                                                   coordinator_actor, viewer, documents_folder):
    add(signed_in(editor), activity, title="Final report", kind="report")
    version = DocumentVersion.objects.get()
    services.activity_delete(actor=coordinator_actor, activity=activity)
    page = signed_in(coordinator).get(reverse("web:documents-deleted"))
    assert page.status_code == 200 and "Final report" in page.content.decode()
    assert "Joint exercises in Belarus" in page.content.decode()
    assert signed_in(coordinator).get(reverse("web:document-download", args=[version.pk])).status_code == 200
    for user in (editor, viewer):
        assert signed_in(user).get(reverse("web:documents-deleted")).status_code == 404
        assert signed_in(user).get(reverse("web:document-download", args=[version.pk])).status_code == 404


def test_coordinator_attaches_a_sources_text_and_an_outcomes_evidence(signed_in, priorities, coordinator, editor,
                                                                      documents_folder):
    commitment = factories.CommitmentFactory(priority=priorities[0])
    client = signed_in(coordinator)
    r1 = client.post(reverse("web:source-document-add", args=[commitment.source.pk]), {
        "title": "Press release", "kind": "official_text", "file": samples.upload(samples.PDF)})
    r2 = client.post(reverse("web:outcome-document-add", args=[commitment.pk]), {
        "title": "Exercise report", "kind": "evidence", "file": samples.upload(samples.DOCX, "report.docx")})
    assert (r1.status_code, r2.status_code) == (302, 302)
    assert "Press release" in client.get(reverse("web:source", args=[commitment.source.pk])).content.decode()
    assert "Exercise report" in client.get(reverse("web:commitment", args=[commitment.pk])).content.decode()
    refused = signed_in(editor).post(reverse("web:outcome-document-add", args=[commitment.pk]), {
        "title": "Mine", "kind": "evidence", "file": samples.upload(samples.PDF)})
    assert refused.status_code == 403 and Document.objects.count() == 2


def test_activity_page_query_count_does_not_grow_with_documents(signed_in, activity, editor, documents_folder,
                                                                django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:activity", args=[activity.pk])).status_code == 200
        return len(captured.captured_queries)

    for n in range(10):
        add(client, activity, title=f"Doc {n}")
    with_ten = queries()
    for n in range(90):
        add(client, activity, title=f"More {n}", content=samples.PNG, name="photo.png")
    assert queries() <= with_ten


def test_year_report_lists_the_documents_in_its_annex(signed_in, activity, editor, viewer, documents_folder):
    add(signed_in(editor), activity, title="Exercise minutes", kind="minutes", name="minutes.pdf")
    page = signed_in(viewer).get(reverse("web:year-report"), {"presidency": activity.priority.presidency.code})
    text = page.content.decode()
    assert page.status_code == 200 and "Annex: documents" in text
    assert "Exercise minutes" in text and "minutes.pdf" in text and "Joint exercises in Belarus" in text


def test_the_panel_and_refusals_speak_russian(signed_in, activity, editor, documents_folder):
    client = signed_in(editor)
    client.post("/i18n/setlang/", {"language": "ru"})
    add(client, activity)
    page = client.get(reverse("web:activity", args=[activity.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Документы" in page and "Добавить документ" in page and "Концепция" in page
    refused = add(client, activity, content=samples.EXE)
    assert refused.status_code == 400 and "Допустимые типы" in refused.content.decode()


def test_only_coordinators_are_shown_the_way_to_deleted_activities_documents(signed_in, activity, coordinator, editor):
    link = reverse("web:documents-deleted")
    assert link in signed_in(coordinator).get(reverse("web:reports")).content.decode()
    assert link not in signed_in(editor).get(reverse("web:reports")).content.decode()
