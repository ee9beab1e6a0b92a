"""`make test` leaves `git status` clean: what the suite writes goes to a temporary folder or an ignored one
(the browser tests once rewrote the README's screenshots on every run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()


def _ignored(path: Path) -> bool:
    done = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT, capture_output=True)
    return done.returncode == 0


@pytest.fixture
def git():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")


def test_screenshots_go_to_a_temporary_folder_unless_asked(monkeypatch):
    from tests.e2e import conftest

    monkeypatch.delenv("SCREENSHOTS_DIR", raising=False)
    conftest.screenshots_dir.cache_clear()
    try:
        folder = conftest.screenshots_dir().resolve()
        assert ROOT not in folder.parents and folder.is_dir()
    finally:
        conftest.screenshots_dir.cache_clear()


def test_the_test_database_and_compiled_catalogues_are_ignored_by_git(git):
    test_db = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_db and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert _ignored(Path(test_db))
    assert _ignored(ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.mo")
    assert _ignored(ROOT / "var" / "broker")
