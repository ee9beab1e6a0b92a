"""python manage.py create_api_client NAME --scope read|write [--body CODE ... | --all-bodies] [--expires-days N]

Creates an API client for another system and prints its key once: only a hash of it is stored.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tracker import audit, services
from tracker.models import ApiClient, Body


class Command(BaseCommand):
    help = "Create an API client and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A unique name, e.g. the system's name: mfa-by-planning")
        parser.add_argument("--scope", choices=ApiClient.Scope.values, default=ApiClient.Scope.READ,
                            help="read (default) or write")
        parser.add_argument("--body", action="append", default=[], metavar="CODE",
                            help="Limit writes to this body's activities (repeat for several bodies)")
        parser.add_argument("--all-bodies", action="store_true",
                            help="Let a write key change every body's activities")
        parser.add_argument("--expires-days", type=int, default=None, metavar="N",
                            help="The key stops working after N days")
        parser.add_argument("--webhooks", action="store_true",
                            help="The webhooks scope: the key manages its own webhook subscriptions")
        parser.add_argument("--contact-email", default="", metavar="ADDRESS",
                            help="Told when one of the key's subscriptions is switched off after failing")

    def handle(self, *args: object, name: str, scope: str, body: list[str], all_bodies: bool,
               expires_days: int | None, webhooks: bool = False, contact_email: str = "",
               **options: object) -> None:
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client named {name!r} already exists; revoke it in the admin or pick "
                               "another name.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        if body and all_bodies:
            raise CommandError("Give either --body or --all-bodies, not both.")
        if scope == ApiClient.Scope.WRITE and not (body or all_bodies):
            raise CommandError("A write key needs --body CODE (repeatable) or --all-bodies.")
        bodies = list(Body.objects.filter(code__in=body))
        missing = sorted(set(body) - {b.code for b in bodies})
        if missing:
            known = ", ".join(Body.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"Unknown body code(s): {', '.join(missing)}. Known: {known}.")
        client = ApiClient(name=name, scope=scope, all_bodies=all_bodies, manage_webhooks=webhooks,
                           contact_email=contact_email)
        if expires_days is not None:
            client.expires_at = timezone.now() + dt.timedelta(days=expires_days)
        key = services.api_client_create(client=client, bodies=bodies, via=audit.Via.COMMAND,
                                         actor=audit.command_actor("create_api_client"))
        limits = f" for {', '.join(b.code for b in bodies)}" if bodies else (" for every body" if all_bodies else "")
        expiry = f", expires {client.expires_at:%Y-%m-%d}" if client.expires_at else ""
        self.stderr.write(f"Created API client {name!r} ({scope}{limits}{expiry}). The key is shown only now:")
        self.stdout.write(key)
