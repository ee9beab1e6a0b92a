"""Staff: each user's role on the agenda and, for editors, the body whose work they may change."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.reference import Body


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    COORDINATOR = "coordinator", _("Coordinator")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    body = models.ForeignKey(
        Body, verbose_name=_("body"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
        help_text=_("Editors may change the activities this body is responsible for."),
    )
    access_until = models.DateField(
        _("access until"), null=True, blank=True,
        help_text=_("The last day this person may sign in to the agenda, e.g. a viewer of the incoming "
                    "presidency until its term starts; empty for no limit."),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    wants_digest = models.BooleanField(_("weekly digest by email"), default=True)
    calendar_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
