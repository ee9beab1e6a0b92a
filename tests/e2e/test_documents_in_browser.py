"""Documents in a real browser: an editor uploads a PDF with the plain file input and a second file by
dragging it onto the form; a viewer sees both, has no upload form, and downloads the PDF (an attachment,
byte for byte). Screenshot: the activity page's documents section."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents import samples
from tests.e2e.conftest import log_in, screenshots_dir
from tracker.models import Activity, DocumentVersion

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def documents_in_a_temporary_folder(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def test_an_editor_uploads_a_pdf_and_a_viewer_downloads_it(page, browser, seeded, tmp_path):
    activity = Activity.objects.filter(responsible_body__code="by-mod").order_by("pk").first()
    url = f"/activities/{activity.pk}/"
    log_in(page, "editor", url)
    panel = page.locator('[data-testid="documents"]')
    panel.locator('input[name="title"]').fill("Exercise concept note")
    panel.locator('select[name="kind"]').select_option("concept_note")
    pdf = tmp_path / "Concept note – exercises.pdf"
    pdf.write_bytes(samples.PDF)
    panel.locator('input[type="file"][name="file"]').last.set_input_files(str(pdf))
    panel.get_by_role("button", name="Upload").last.click()
    page.wait_for_url(f"{page.base}{url}")
    assert "Exercise concept note" in page.locator('[data-testid="documents"]').inner_text()

    # Drag and drop: a file dropped on the form lands in its file input (and names the document).
    transfer = page.evaluate_handle("""() => {
        const data = new DataTransfer();
        data.items.add(new File(["title;due\\nAgenda;2023-09-30\\n"], "Meeting agenda.csv", {type: "text/csv"}));
        return data;
    }""")
    drop = page.locator("[data-drop-target]")
    drop.dispatch_event("dragenter", {"dataTransfer": transfer})
    drop.dispatch_event("drop", {"dataTransfer": transfer})
    assert page.locator('[data-testid="documents"] input[name="title"]').last.input_value() == "Meeting agenda"
    page.locator('[data-testid="documents"] select[name="kind"]').last.select_option("agenda")
    page.locator('[data-testid="documents"]').get_by_role("button", name="Upload").last.click()
    page.wait_for_url(f"{page.base}{url}")
    listed = page.locator('[data-testid="document"]')
    assert listed.count() == 2 and "Meeting agenda.csv" in listed.first.inner_text()
    page.locator('[data-testid="documents"]').scroll_into_view_if_needed()
    page.locator('[data-testid="documents"]').screenshot(
        path=str(screenshots_dir() / "activity-documents.png"), animations="disabled")

    viewer_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", accept_downloads=True)
    viewer = viewer_context.new_page()
    viewer.base = page.base
    try:
        log_in(viewer, "viewer", url)
        panel = viewer.locator('[data-testid="documents"]')
        assert panel.locator('input[type="file"]').count() == 0  # a viewer cannot upload
        assert "Add a document" not in panel.inner_text()
        with viewer.expect_download() as download:
            panel.get_by_role("link", name="Exercise concept note").click()
        assert Path(download.value.path()).read_bytes() == samples.PDF
        assert download.value.suggested_filename == DocumentVersion.objects.get(file_type="pdf").file_name
        # And the door itself refuses the viewer's upload, whatever the page shows.
        refused = viewer.request.post(f"{viewer.base}/activities/{activity.pk}/documents/", multipart={
            "title": "Mine", "kind": "other",
            "file": {"name": "x.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}},
            headers={"X-CSRFToken": next(c["value"] for c in viewer_context.cookies() if c["name"] == "csrftoken"),
                     "Referer": f"{viewer.base}{url}"})
        assert refused.status == 403
    finally:
        viewer_context.close()
    assert DocumentVersion.objects.count() == 2
