"""python manage.py revoke_api_client NAME

Revokes an API client's key at once (its requests answer 401 "revoked" from now on) and records who did it
in the audit trail. The client stays listed, so its past use can still be read.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker import audit, services
from tracker.models import ApiClient


class Command(BaseCommand):
    help = "Revoke an API client's key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The client's name, as given to create_api_client")

    def handle(self, *args: object, name: str, **options: object) -> None:
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"No API client named {name!r}.")
        if not services.api_client_revoke(client=client, via=audit.Via.COMMAND,
                                          actor=audit.command_actor("revoke_api_client")):
            self.stdout.write(f"The key of {name!r} was already revoked on {client.revoked_at:%Y-%m-%d %H:%M}.")
            return
        self.stdout.write(f"Revoked the key of {name!r}.")
