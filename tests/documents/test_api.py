"""/api/v1/activities/{id}/documents/: list, multipart upload, new versions, download; refusals by field."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import client_for_user, client_with_key
from tests.documents import samples
from tests.documents.conftest import stored_files
from tracker.models import ApiClient, Document

pytestmark = pytest.mark.django_db


def url(activity, *rest) -> str:
    return f"/api/v1/activities/{activity.pk}/documents/" + "".join(f"{part}/" for part in rest)


def test_write_key_uploads_lists_adds_a_version_and_downloads(activity, documents_folder):
    api = client_with_key(factories.make_api_client("mod-planning", ApiClient.Scope.WRITE)[1])
    created = api.post(url(activity), {"title": "Exercise agenda", "kind": "agenda",
                                       "file": samples.upload(samples.PDF, "agenda.pdf")}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "Exercise agenda" and body["created_by"] == "mod-planning"
    assert [v["number"] for v in body["versions"]] == [1] and body["versions"][0]["file_type"] == "pdf"
    again = api.post(url(activity, body["id"], "versions"), {"file": samples.upload(samples.XLSX, "agenda.xlsx")},
                     format="multipart")
    assert again.status_code == 201 and [v["number"] for v in again.json()["versions"]] == [2, 1]
    listed = api.get(url(activity)).json()
    assert [d["id"] for d in listed] == [body["id"]] and listed[0]["version_count"] == 2
    first = api.get(url(activity, body["id"], "download") + "?version=1")
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == samples.PDF
    assert first["Content-Disposition"].startswith("attachment;") and 'filename="agenda.pdf"' in \
        first["Content-Disposition"]
    assert first["X-Content-Type-Options"] == "nosniff"
    latest = api.get(listed[0]["versions"][0]["download_url"])
    assert b"".join(latest.streaming_content) == samples.XLSX


def test_read_key_lists_and_downloads_but_may_not_upload(activity, editor, documents_folder):
    client_for_user(editor).post(url(activity), {"title": "Minutes", "kind": "minutes",
                                                 "file": samples.upload(samples.PDF)}, format="multipart")
    reader = client_with_key(factories.make_api_client("reader", ApiClient.Scope.READ)[1])
    [document] = reader.get(url(activity)).json()
    assert reader.get(url(activity, document["id"], "download")).status_code == 200
    refused = reader.post(url(activity), {"title": "Mine", "kind": "other", "file": samples.upload(samples.PDF)},
                          format="multipart")
    assert refused.status_code == 403
    assert Document.objects.count() == 1 and len(stored_files(documents_folder)) == 1


def test_key_limited_to_another_body_may_not_upload(activity, other_body, documents_folder):
    api = client_with_key(factories.make_api_client("mfa", ApiClient.Scope.WRITE, bodies=[other_body])[1])
    refused = api.post(url(activity), {"title": "x", "kind": "other", "file": samples.upload(samples.PDF)},
                       format="multipart")
    assert refused.status_code == 403 and not Document.objects.exists()


def test_a_file_over_the_limit_answers_413_naming_the_limit(settings, activity, editor, documents_folder):
    settings.DOCUMENTS_MAX_BYTES = 4096
    refused = client_for_user(editor).post(url(activity), {
        "title": "Big", "kind": "report", "file": samples.upload(samples.PDF + b"0" * 10_000)}, format="multipart")
    assert refused.status_code == 413
    assert "4 KB" in refused.json()["detail"] and refused.json()["max_bytes"] == 4096
    assert not Document.objects.exists() and stored_files(documents_folder) == []


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(settings, activity, editor, documents_folder):
    settings.DOCUMENTS_MAX_BYTES = 4096
    refused = client_for_user(editor).post(url(activity), {
        "title": "Huge", "kind": "report", "file": samples.upload(samples.PDF + b"0" * 200_000)}, format="multipart")
    assert refused.status_code == 413 and "4 KB" in refused.json()["detail"]
    assert stored_files(documents_folder) == []


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "Tool", "kind": "other", "file": ("setup.pdf", samples.EXE)}, "file"),
    ({"title": "", "kind": "other", "file": ("a.pdf", samples.PDF)}, "title"),
    ({"title": "x", "kind": "poem", "file": ("a.pdf", samples.PDF)}, "kind"),
    ({"title": "x", "kind": "other"}, "file"),
    ({"title": "x", "kind": "other", "file": ("empty.pdf", b"")}, "file"),
])
def test_bad_uploads_answer_400_naming_the_field(activity, editor, documents_folder, data, field):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": samples.upload(content, name)}
    refused = client_for_user(editor).post(url(activity), data, format="multipart")
    assert refused.status_code == 400, refused.content
    assert field in refused.json()["errors"]
    assert not Document.objects.exists() and stored_files(documents_folder) == []


def test_disallowed_kind_names_the_allowed_kinds(activity, editor, documents_folder):
    refused = client_for_user(editor).post(url(activity), {
        "title": "x", "kind": "other", "file": samples.upload(b"<html><script>alert(1)</script>", "x.html")},
        format="multipart")
    # HTML is text by its bytes: it is stored as text, offered only as an attachment, never rendered.
    assert refused.status_code == 201
    refused = client_for_user(editor).post(url(activity), {
        "title": "x", "kind": "other", "file": samples.upload(samples.plain_zip(), "x.docx")}, format="multipart")
    assert refused.status_code == 400
    message = refused.json()["errors"]["file"][0]
    assert all(kind in message for kind in ("PDF", "Word (DOCX)", "Excel (XLSX)", "PNG", "JPEG", "Text or CSV"))


def test_unknown_activity_and_document_are_404(activity, editor, documents_folder):
    api = client_for_user(editor)
    assert api.get("/api/v1/activities/999999/documents/").status_code == 404
    assert api.get(url(activity, 999, "download")).status_code == 404
    assert api.post(url(activity, 999, "versions"), {"file": samples.upload(samples.PDF)},
                    format="multipart").status_code == 404


def test_listing_takes_a_fixed_number_of_queries(activity, editor, documents_folder, django_assert_max_num_queries):
    api = client_for_user(editor)
    for n in range(3):
        api.post(url(activity), {"title": f"Doc {n}", "kind": "other", "file": samples.upload(samples.PDF)},
                 format="multipart")
    with django_assert_max_num_queries(6):  # session, user, profile, activity, documents, versions
        assert len(api.get(url(activity)).json()) == 3
    for n in range(12):
        api.post(url(activity), {"title": f"More {n}", "kind": "other", "file": samples.upload(samples.PNG, "a.png")},
                 format="multipart")
    with django_assert_max_num_queries(6):
        assert len(api.get(url(activity)).json()) == 15


def test_idempotency_key_makes_one_document_and_refuses_another_file(activity, editor, documents_folder):
    api = client_for_user(editor)
    headers = {"Idempotency-Key": "upload-7f3a"}
    first = api.post(url(activity), {"title": "Agenda", "kind": "agenda", "file": samples.upload(samples.PDF)},
                     format="multipart", headers=headers)
    again = api.post(url(activity), {"title": "Agenda", "kind": "agenda", "file": samples.upload(samples.PDF)},
                     format="multipart", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201) and first.json()["id"] == again.json()["id"]
    other = api.post(url(activity), {"title": "Agenda", "kind": "agenda", "file": samples.upload(samples.PNG)},
                     format="multipart", headers=headers)
    assert other.status_code == 422
    assert Document.objects.count() == 1 and len(stored_files(documents_folder)) == 1


def test_an_upload_whose_outer_transaction_fails_leaves_no_file(monkeypatch, activity, editor, documents_folder):
    """With an Idempotency-Key the upload runs inside the key's transaction: when storing the answer fails,
    the whole rolls back, and the file stored meanwhile is deleted too."""
    from tracker.api import idempotency

    def broken(*args, **kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(idempotency, "_complete", broken)
    api = client_for_user(editor)
    api.raise_request_exception = False
    response = api.post(url(activity), {"title": "Agenda", "kind": "agenda", "file": samples.upload(samples.PDF)},
                        format="multipart", headers={"Idempotency-Key": "upload-broken"})
    assert response.status_code == 500
    assert not Document.objects.exists() and stored_files(documents_folder) == []
