"""`manage.py import_links FILE.csv`: links between activities from a CSV (as /reports/links.csv exports),
all or nothing, as the system, through the services (tracker/imports_schedule.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.errors import DomainError
from tracker.imports_schedule import import_links
from tracker.permissions import Actor


class Command(BaseCommand):
    help = "Import links between activities from a CSV file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            count = import_links(actor=Actor.system(), text=file.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except DomainError as error:
            raise CommandError("; ".join(m for ms in error.field_errors().values() for m in ms)) from None
        self.stdout.write(f"{count} links imported")
