"""The schedule (issue 17): links between activities, the waiting ledger and approved baselines.

Forecasts are derived on read (tracker/selectors/schedule.py); only what people decide is stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.errors import DomainError
from tracker.models.agenda import Activity, Presidency
from tracker.models.progress import Milestone
from tracker.validators import multi_line


class Dependency(models.Model):
    """`successor` depends on `predecessor` (or on one of its milestones, `predecessor_milestone`)."""

    class Kind(models.TextChoices):
        FINISH_TO_START = "fs", _("Finish to start")
        FINISH_TO_FINISH = "ff", _("Finish to finish")
        BLOCKS = "blocks", _("Blocks")

    predecessor = models.ForeignKey(
        Activity, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    predecessor_milestone = models.ForeignKey(
        Milestone, verbose_name=_("predecessor milestone"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="successor_links",
        help_text=_("When the successor waits for one milestone of the predecessor, not all of it."),
    )
    successor = models.ForeignKey(
        Activity, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FINISH_TO_START)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.CharField(_("created by"), max_length=150, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], condition=models.Q(predecessor_milestone__isnull=True),
                name="dependency_unique_pair",
            ),
            models.UniqueConstraint(
                fields=["predecessor_milestone", "successor"],
                condition=models.Q(predecessor_milestone__isnull=False), name="dependency_unique_milestone",
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")), name="dependency_not_to_itself"
            ),
        ]
        indexes = [models.Index(fields=["successor", "predecessor"], name="dependency_successor")]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.kind})"


class WaitingNotice(models.Model):
    """The ledger of `activity.waiting` events: one per link and predecessor due date, so watchers are told
    once, and again only when the predecessor's date moves again."""

    dependency = models.ForeignKey(
        Dependency, verbose_name=_("dependency"), on_delete=models.CASCADE, related_name="waiting_notices"
    )
    predecessor_due = models.DateField(_("predecessor due date"))
    reason = models.CharField(_("reason"), max_length=30)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("waiting notice")
        verbose_name_plural = _("waiting notices")
        constraints = [
            models.UniqueConstraint(fields=["dependency", "predecessor_due"], name="waiting_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.dependency_id} @ {self.predecessor_due}"


class BaselineFrozen(DomainError):
    """An approved baseline is the record of the plan at that moment: it is never changed afterwards."""

    code = "baseline_frozen"


class FrozenModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise BaselineFrozen(_("A baseline is frozen once approved; approve a new one instead."))
        super().save(*args, **kwargs)


class Baseline(FrozenModel):
    """The plan as a coordinator approved it: every activity's start and due dates and its milestones'."""

    presidency = models.ForeignKey(
        Presidency, verbose_name=_("presidency"), on_delete=models.CASCADE, related_name="baselines"
    )
    number = models.PositiveIntegerField(_("number"))
    reason = models.TextField(_("reason"), validators=[multi_line])
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    approved_by_name = models.CharField(_("approved by"), max_length=150)

    class Meta:
        ordering = ["presidency", "-number"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [models.UniqueConstraint(fields=["presidency", "number"], name="baseline_number_unique")]

    def __str__(self) -> str:
        return _("Baseline %(number)s of %(day)s") % {"number": self.number, "day": self.approved_at.date()}


class BaselineItem(FrozenModel):
    """One activity's (or milestone's) dates in a baseline. The activity may be deleted later; the row stays."""

    baseline = models.ForeignKey(Baseline, verbose_name=_("baseline"), on_delete=models.CASCADE, related_name="items")
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["baseline", "id"]
        verbose_name = _("baseline item")
        verbose_name_plural = _("baseline items")
        indexes = [models.Index(fields=["baseline", "activity"], name="baselineitem_activity")]

    def __str__(self) -> str:
        return self.title
