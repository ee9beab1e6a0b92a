"""The documents' admin page: coordinators see every document and its versions (a deleted activity's too) and
download through the access-checked view; editors are refused like on the machinery's other pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.documents import samples
from tracker import services
from tracker.models import Channel, Document, DocumentVersion
from tracker.permissions import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(activity, editor_actor, documents_folder):
    first = services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                                  title="Concept <b>note</b>", kind="concept_note")
    second = services.document_add_version(actor=editor_actor, document=first.document,
                                           upload=samples.upload(samples.DOCX, "concept-note-v2.docx"))
    return first, second


def test_a_coordinator_sees_documents_and_versions_with_access_checked_downloads(
        signed_in, coordinator, two_versions, settings):
    first, second = two_versions
    client = signed_in(coordinator)
    listing = client.get("/admin/tracker/document/").content.decode()
    assert "Concept &lt;b&gt;note&lt;/b&gt;" in listing  # markup in a title is text
    assert reverse("web:document-download", args=[second.pk]) in listing  # the latest version
    page = client.get(f"/admin/tracker/document/{first.document.pk}/change/").content.decode()
    for version in (first, second):
        assert reverse("web:document-download", args=[version.pk]) in page
        assert version.stored_name not in page  # never where the file lies
    assert "concept-note-v2.docx" in page and "concept-note.pdf" in page
    assert settings.MEDIA_URL not in page
    response = client.get(reverse("web:document-download", args=[first.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_deleted_activitys_documents_stay_listed_for_coordinators(
        signed_in, coordinator, coordinator_actor, activity, two_versions):
    services.activity_delete(actor=coordinator_actor, activity=activity)
    client = signed_in(coordinator)
    listing = client.get("/admin/tracker/document/").content.decode()
    assert f"deleted activity #{activity.pk}" in listing
    version = DocumentVersion.objects.order_by("number").first()
    assert client.get(reverse("web:document-download", args=[version.pk])).status_code == 200


@pytest.mark.parametrize("who", ["editor", "outsider"])
def test_others_with_admin_access_are_refused(request, signed_in, who, two_versions):
    client = signed_in(request.getfixturevalue(who))
    document = Document.objects.get()
    assert client.get("/admin/tracker/document/").status_code == 403
    assert client.get(f"/admin/tracker/document/{document.pk}/change/").status_code == 403


def test_nobody_changes_a_document_in_the_admin(signed_in, coordinator, two_versions):
    document = Document.objects.get()
    client = signed_in(coordinator)
    assert client.get("/admin/tracker/document/add/").status_code == 403
    client.post(f"/admin/tracker/document/{document.pk}/change/", {"title": "Hijacked", "kind": "other"})
    client.post(f"/admin/tracker/document/{document.pk}/delete/", {"post": "yes"})
    document.refresh_from_db()
    assert document.title == "Concept <b>note</b>" and document.versions.count() == 2


def test_the_list_reads_a_bounded_number_of_queries(
        signed_in, coordinator, activity, editor, documents_folder, django_assert_max_num_queries):
    actor = Actor.for_user(editor, Channel.WEB)
    for n in range(30):
        services.document_add(actor=actor, activity=activity, upload=samples.upload(samples.PDF),
                              title=f"Minutes {n}", kind="minutes")
    client = signed_in(coordinator)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/tracker/document/").status_code == 200
