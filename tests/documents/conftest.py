"""Documents' fixtures: every test gets an empty documents folder of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import fast_password_hashing, signed_in  # noqa: F401


@pytest.fixture(autouse=True)
def documents_folder(settings, tmp_path) -> Path:
    folder = tmp_path / "documents"
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}}
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
