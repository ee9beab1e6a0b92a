"""Member-state participation: one row per activity and state, with the state's role and level.

Defined before the agenda's models import it: the activity's history (django-simple-history) reads this table's
fields when the Activity class is built."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.reference import MemberState
from tracker.validators import single_line


class Participation(models.Model):
    """A state's part in an activity: its role, its level of representation, whether it has confirmed.

    The rows are the activity's `participating_states` (this model is that field's table), so every door that
    reads or sets the bare list keeps working; a state added that way takes part as a participant."""

    class Role(models.TextChoices):
        HOST = "host", _("Host")
        LEAD = "lead", _("Lead")
        CO_ORGANISER = "co_organiser", _("Co-organiser")
        PARTICIPANT = "participant", _("Participant")
        OBSERVER = "observer", _("Observer")
        DECLINED = "declined", _("Declined")

    class Level(models.TextChoices):
        HEAD_OF_STATE = "head_of_state", _("Head of state")
        MINISTER = "minister", _("Minister")
        DEPUTY = "deputy", _("Deputy minister")
        EXPERT = "expert", _("Expert")

    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participations"
    )
    # Named as in the plain many-to-many table this model took over, so queries on that table still work.
    memberstate = models.ForeignKey(
        MemberState, verbose_name=_("state"), on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    level = models.CharField(_("level of representation"), max_length=20, choices=Level.choices, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True, validators=[single_line])

    class Meta:
        db_table = "tracker_activity_participating_states"
        ordering = ["activity", "memberstate"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["activity", "memberstate"], name="participation_one_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.memberstate} · {self.get_role_display()}"
