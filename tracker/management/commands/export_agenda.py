"""A JSON backup of the agenda: users, reference data, activities, the progress log and field history.

Restore into an empty, migrated database with `manage.py restore_agenda <file>` (docs/operations.md).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Export the whole agenda with its history to a JSON file (restore with restore_agenda)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="File to write, e.g. backup.json")

    def handle(self, *args, **options) -> None:
        # Primary keys are kept as they are, so every reference (history, log, outbox) survives the round trip.
        call_command(
            "dumpdata", "auth.user", "tracker", indent=1, output=options["output"],
            exclude=["tracker.outboxevent"], verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Agenda exported to {options['output']}"))
