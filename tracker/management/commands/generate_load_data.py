"""Build a realistic agenda at scale on the configured database, for benchmarks (docs/performance.md)."""

import time

from django.core.management.base import BaseCommand

from benchmarks.loadgen import delete_load_data, generate


class Command(BaseCommand):
    help = (
        "Make sure N generated activities exist (adding what is missing) with milestones, progress updates and "
        "history; deterministic for a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, required=True, help="How many generated activities to have")
        parser.add_argument("--seed", type=int, default=2023, help="Random seed (same seed, same data)")
        parser.add_argument("--presidencies", type=int, default=None, help="Default: grows with N")
        parser.add_argument("--reset", action="store_true", help="Delete earlier generated data first")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        if options["reset"]:
            delete_load_data()
        made = generate(options["activities"], seed=options["seed"], presidencies=options["presidencies"])
        summary = ", ".join(f"{count} {name}" for name, count in made.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {time.monotonic() - started:.1f}s"))
