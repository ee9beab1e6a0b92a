"""Compile the translation catalogues (.po) into the binary files Django reads (.mo), in pure Python.

`manage.py compilemessages` needs GNU gettext's msgfmt, which a newcomer's machine may lack; polib does the
same job. The .mo files are build products (ignored by git), so `make run`, `make test` and the test suite
run this first, and a fresh clone shows Russian.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_dirs() -> list[Path]:
    """Every locale folder Django reads: LOCALE_PATHS and each installed project app's locale/."""
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    base = Path(settings.BASE_DIR).resolve()
    venv = Path(sys.prefix).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        # A .venv inside the project holds Django's own apps, whose catalogues ship compiled (540 of them).
        if base in path.parents and venv not in path.parents and (path / "locale").is_dir():
            dirs.append(path / "locale")
    return [d for d in dirs if d.is_dir()]


def compile_catalogues(*, force: bool = False) -> list[Path]:
    """Compile each .po whose .mo is missing or older; returns the .mo files written."""
    written = []
    for directory in catalogue_dirs():
        for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalogue = polib.pofile(str(po_path))
            # Written beside the target and renamed into place, so parallel test workers never read half a file.
            fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            os.close(fd)
            try:
                catalogue.save_as_mofile(tmp)
                os.replace(tmp, mo_path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files with polib (GNU gettext is not needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Compile even the catalogues that are up to date.")

    def handle(self, *args, force: bool = False, **options) -> None:
        written = compile_catalogues(force=force)
        if options.get("verbosity", 1) > 1:
            for path in written:
                self.stdout.write(f"compiled {path.relative_to(settings.BASE_DIR)}")
        self.stdout.write(f"translations: {len(written)} catalogue(s) compiled" if written
                          else "translations are up to date")
