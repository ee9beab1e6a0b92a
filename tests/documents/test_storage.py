"""The documents' storage: the same uploads, versions, downloads and clean-up on the file system (the
embedded default) and on a real S3-compatible server (moto's server mode, started here as a subprocess,
reached through django-storages and boto3 exactly as production reaches its object store)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.documents import samples
from tests.support import unavailable
from tracker import events, services
from tracker.models import Document, DocumentVersion
from tracker.models.documents import documents_storage

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free port for the session (skipped, or failed under REQUIRE_SERVICES, without moto)."""
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
        import storages  # noqa: F401
    except ImportError as error:
        unavailable(f"moto[server], boto3 or django-storages is not installed ({error.name})")
    server = Path(sys.executable).with_name("moto_server")
    command = [str(server)] if server.exists() else [shutil.which("moto_server") or "moto_server"]
    port = _free_port()
    process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None:
                    unavailable("moto_server exited at start")
                time.sleep(0.2)
        else:
            unavailable("moto_server did not start within 30 seconds")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["filesystem", "s3"])
def storage_backend(request, settings, tmp_path) -> str:
    if request.param == "filesystem":
        settings.STORAGES = {**settings.STORAGES, "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
        return "filesystem"
    endpoint = request.getfixturevalue("s3_endpoint")
    import boto3

    bucket = f"documents-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **credentials).create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "documents": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": bucket, "endpoint_url": endpoint, "access_key": "testing", "secret_key": "testing",
        "region_name": "us-east-1", "location": "documents", "default_acl": "private", "file_overwrite": False}}}
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    return "s3"


def _stored_names() -> list[str]:
    storage = documents_storage()

    def walk(folder: str) -> list[str]:
        folders, files = storage.listdir(folder)
        found = [f"{folder}/{name}" if folder else name for name in files]
        for sub in folders:
            found += walk(f"{folder}/{sub}" if folder else sub)
        return found

    try:
        return sorted(walk(""))
    except FileNotFoundError:
        return []


def test_upload_version_and_download_round_trip(storage_backend, activity, editor_actor, editor, signed_in):
    first = services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                                  title="Concept note", kind="concept_note")
    second = services.document_add_version(actor=editor_actor, document=first.document,
                                           upload=samples.upload(samples.XLSX, "budget.xlsx"))
    assert sorted(_stored_names()) == sorted([first.stored_name, second.stored_name])
    client = signed_in(editor)
    for version, content in ((first, samples.PDF), (second, samples.XLSX)):
        response = client.get(f"/documents/versions/{version.pk}/download/")
        assert response.status_code == 200, storage_backend
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_interrupted_upload_leaves_no_object(storage_backend, monkeypatch, activity, editor_actor):
    monkeypatch.setattr(events, "emit", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("database gone")))
    with pytest.raises(ConnectionError):
        services.document_add(actor=editor_actor, activity=activity, upload=samples.upload(samples.PDF),
                              title="Minutes", kind="minutes")
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert _stored_names() == []


def test_refused_upload_stores_nothing(storage_backend, settings, activity, editor_actor):
    settings.DOCUMENTS_MAX_BYTES = 1024
    with pytest.raises(services.documents.TooLarge):
        services.document_add(actor=editor_actor, activity=activity, title="Big", kind="report",
                              upload=samples.upload(samples.PDF + b"0" * 2048))
    assert _stored_names() == []
