from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker import demo_story


class Command(BaseCommand):
    help = ("Load the demo's illustrative progress story (mid-July 2023) through the services. "
            "Demo only: refuses when DEBUG is off; runs once.")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo story is only loaded when DEBUG is on; it is never for production data.")
        if demo_story.already_told():
            self.stdout.write("The demo story is already loaded; nothing changed.")
            return
        moved = demo_story.tell()
        self.stdout.write(f"Demo story loaded: {moved} activities moved (illustrative demo data).")
