"""Reference data: member states, dialogue partners and the bodies responsible for activities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.base import CodeManager, localized


class MemberState(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2, e.g. BY."))
    name = models.CharField(_("name"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100, blank=True)
    is_member = models.BooleanField(
        _("CSTO member"), default=True, help_text=_("Members of the organisation; unticked for dialogue partners.")
    )

    is_observer = models.BooleanField(
        _("observer or partner"), default=False,
        help_text=_("A non-member that may take part in activities: an observer or dialogue partner."),
    )

    objects = CodeManager()

    class Meta:
        ordering = ["-is_member", "name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Body(models.Model):
    class Kind(models.TextChoices):
        FOREIGN_MINISTRY = "foreign_ministry", _("Ministry of foreign affairs")
        DEFENCE_MINISTRY = "defence_ministry", _("Ministry of defence")
        SECURITY_COUNCIL = "security_council", _("Security council office")
        SECRETARIAT = "secretariat", _("CSTO Secretariat")
        JOINT_STAFF = "joint_staff", _("CSTO Joint Staff")
        INSTITUTE = "institute", _("Analytical institute for strategic studies")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    state = models.ForeignKey(
        MemberState, verbose_name=_("state"), null=True, blank=True, on_delete=models.PROTECT, related_name="bodies"
    )
    contact_emails = models.TextField(
        _("contact emails"), blank=True, help_text=_("Addresses that receive deadline reminders, one per line.")
    )

    objects = CodeManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def contact_list(self) -> list[str]:
        return [line.strip() for line in self.contact_emails.replace(",", "\n").splitlines() if line.strip()]

    def natural_key(self) -> tuple[str]:
        return (self.code,)
