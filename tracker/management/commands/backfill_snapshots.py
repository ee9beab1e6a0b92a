"""Fill in the days that have no daily snapshot, reconstructed from the activities' history.

    python manage.py backfill_snapshots                     # the current presidency, start to yesterday
    python manage.py backfill_snapshots --presidency csto-2023 --from 2023-01-01 --to 2023-12-31

Days that already have a snapshot are left alone. See tracker/jobs/snapshots.py for how a day is rebuilt.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker import selectors
from tracker.jobs import snapshots
from tracker.models import Presidency


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Back-fill missing daily snapshots from the activities' history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--presidency", help="Presidency code (default: the current one).")
        parser.add_argument("--from", dest="start", type=_date, help="First day (default: the period's start).")
        parser.add_argument("--to", dest="end", type=_date, help="Last day (default: yesterday or the period's end).")

    def handle(self, *args, presidency: str | None, start: dt.date | None, end: dt.date | None, **options) -> None:
        if presidency:
            try:
                target = Presidency.objects.get(code=presidency)
            except Presidency.DoesNotExist:
                raise CommandError(f"No presidency with the code {presidency!r}.") from None
        else:
            target = selectors.current_presidency()
            if target is None:
                raise CommandError("There is no presidency yet.")
        if start and end and end < start:
            raise CommandError("--to is before --from.")
        added = snapshots.backfill(target, start, end)
        if added:
            self.stdout.write(self.style.SUCCESS(
                f"Added {len(added)} snapshot(s) for {target.code}: {added[0].isoformat()} to {added[-1].isoformat()}."
            ))
        else:
            self.stdout.write(f"No missing days for {target.code}.")
