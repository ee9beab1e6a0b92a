from pathlib import Path

from django.core.management.base import BaseCommand

from tracker.seed import DEFAULT_SEED, load_seed


class Command(BaseCommand):
    help = "Load the presidency agenda seed. Safe to run again: existing rows are never changed."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_SEED, help="Seed file (Django JSON fixture).")

    def handle(self, *args, **options) -> None:
        created = load_seed(options["file"])
        if not created:
            self.stdout.write("Agenda seed: nothing to add, everything is already there.")
            return
        summary = ", ".join(f"{count} {label}" for label, count in sorted(created.items()))
        self.stdout.write(self.style.SUCCESS(f"Agenda seed: created {summary}."))
