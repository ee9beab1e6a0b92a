from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tracker.models import Body, Role, StaffProfile

# Listed in the README. Only ever created with DEBUG on.
DEMO_USERS = [
    # username, password, role, body code, is_staff (admin access)
    ("coordinator", "coordinator-demo-2023", Role.COORDINATOR, None, True),
    ("editor", "editor-demo-2023", Role.EDITOR, "by-mod", True),
    ("viewer", "viewer-demo-2023", Role.VIEWER, None, False),
]


class Command(BaseCommand):
    help = "Create the demo accounts listed in the README (development only: refuses when DEBUG is off)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are only created when DEBUG is on.")
        User = get_user_model()
        for username, password, role, body_code, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
            if created:
                user.set_password(password)
                user.email = f"{username}@example.org"
                user.save()
            body = Body.objects.filter(code=body_code).first() if body_code else None
            StaffProfile.objects.get_or_create(user=user, defaults={"role": role, "body": body})
            self.stdout.write(f"{'created' if created else 'kept'} {username} ({role})")
