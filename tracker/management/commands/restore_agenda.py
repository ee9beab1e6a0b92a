"""Restore a backup made by export_agenda into an empty (freshly migrated) database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from tracker.models import Activity


class Command(BaseCommand):
    help = "Load a backup from export_agenda into an empty database, history exactly as it was."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="File written by export_agenda")

    def handle(self, *args, **options) -> None:
        if Activity.objects.exists():
            raise CommandError("The database already holds an agenda; restore only into an empty database.")
        # The backup carries the history rows themselves; recording the load as new history would double it.
        with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
            call_command("loaddata", options["backup"], verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Agenda restored from {options['backup']}"))
