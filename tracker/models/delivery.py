"""The secretariat's rhythm: dated delivery-confidence assessments, the risk log (RAID) and stocktakes.

Assessments are append-only: a new one never overwrites the last, and the latest by time is current.
Every write goes through tracker/services/delivery.py; the rules on who may write live in
tracker/permissions.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models.jobs import EmailLedger
from tracker.validators import multi_line, single_line


class Rating(models.TextChoices):
    """The five-point delivery-confidence scale (as the UK's major-projects portfolio publishes it)."""

    GREEN = "green", _("Green")
    AMBER_GREEN = "amber_green", _("Amber/green")
    AMBER = "amber", _("Amber")
    AMBER_RED = "amber_red", _("Amber/red")
    RED = "red", _("Red")


#: Shown wherever a rating is chosen, so that the scale means the same to everyone.
RATING_DEFINITIONS: dict[str, str] = {
    Rating.GREEN: _("Successful delivery on time appears highly likely; no major issues threaten it."),
    Rating.AMBER_GREEN: _("Successful delivery appears probable; constant attention keeps minor issues small."),
    Rating.AMBER: _("Successful delivery appears feasible, but significant issues need management attention."),
    Rating.AMBER_RED: _("Successful delivery is in doubt; major issues need urgent action to be resolved."),
    Rating.RED: _("Successful delivery appears unachievable unless the scope, dates or resources change."),
}
#: 1 (best) to 5 (worst): the trend compares ranks, never colours.
RATING_RANK: dict[str, int] = {rating: index for index, rating in enumerate(Rating.values, start=1)}
#: A shape for each rating, so that colour is never the only signal (filled = confident).
RATING_SHAPE: dict[str, str] = {
    Rating.GREEN: "●", Rating.AMBER_GREEN: "◕", Rating.AMBER: "◑", Rating.AMBER_RED: "◔", Rating.RED: "○",
}


class ConfidenceAssessment(models.Model):
    """One dated judgement of an activity's or a priority's delivery; the latest by time is current."""

    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="assessments",
    )
    priority = models.ForeignKey(
        "tracker.Priority", verbose_name=_("priority"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="assessments",
    )
    rating = models.CharField(_("delivery confidence"), max_length=20, choices=Rating.choices)
    narrative = models.TextField(
        _("narrative"), help_text=_("Why this rating: what stands in the way, what helps."), validators=[multi_line]
    )
    actions = models.TextField(_("actions planned"), blank=True, validators=[multi_line])
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    assessor_name = models.CharField(_("assessor"), max_length=150)
    assessed_on = models.DateField(_("assessed on"))
    next_review = models.DateField(_("next review"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("confidence assessment")
        verbose_name_plural = _("confidence assessments")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(activity__isnull=False, priority__isnull=True)
                           | models.Q(activity__isnull=True, priority__isnull=False)),
                name="assessment_of_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "-created_at", "-id"], name="assessment_activity_time"),
            models.Index(fields=["priority", "-created_at", "-id"], name="assessment_priority_time"),
            models.Index(fields=["next_review"], name="assessment_next_review"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} ({self.assessed_on:%Y-%m-%d}, {self.assessor_name})"

    @property
    def rank(self) -> int:
        return RATING_RANK[self.rating]

    @property
    def shape(self) -> str:
        return RATING_SHAPE[self.rating]

    @property
    def definition(self) -> str:
        return str(RATING_DEFINITIONS[self.rating])


class RaidEntry(models.Model):
    """One line of the risk log: a risk, assumption, issue, dependency or decision, with its full history."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        ASSUMPTION = "assumption", _("Assumption")
        ISSUE = "issue", _("Issue")
        DEPENDENCY = "dependency", _("Dependency")
        DECISION = "decision", _("Decision")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MONITORING = "monitoring", _("Monitoring")
        CLOSED = "closed", _("Closed")

    priority = models.ForeignKey(
        "tracker.Priority", verbose_name=_("priority"), on_delete=models.CASCADE, related_name="raid_entries"
    )
    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="raid_entries",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.RISK)
    statement = models.TextField(_("statement"), validators=[multi_line])
    owner = models.CharField(_("owner"), max_length=150, blank=True, validators=[single_line])
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    response = models.TextField(_("response"), blank=True, validators=[multi_line])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    escalated = models.BooleanField(_("escalated"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("risk log entry")
        verbose_name_plural = _("risk log entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__isnull=True) | models.Q(likelihood__gte=1, likelihood__lte=5),
                name="raid_likelihood_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__isnull=True) | models.Q(impact__gte=1, impact__lte=5),
                name="raid_impact_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["priority", "status"], name="raid_priority_status"),
            models.Index(fields=["activity", "status"], name="raid_activity_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.statement[:60]}"

    @property
    def score(self) -> int | None:
        if self.likelihood and self.impact:
            return self.likelihood * self.impact
        return None

    @property
    def is_high(self) -> bool:
        return (self.score or 0) >= settings.RAID_HIGH_SCORE


class Stocktake(models.Model):
    """A regular review of the presidency's (or one priority's) delivery; frozen once closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    presidency = models.ForeignKey(
        "tracker.Presidency", verbose_name=_("presidency"), on_delete=models.CASCADE, related_name="stocktakes"
    )
    priority = models.ForeignKey(
        "tracker.Priority", verbose_name=_("priority"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="stocktakes", help_text=_("Empty: the whole presidency."),
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    attendees = models.TextField(_("attendees"), blank=True, help_text=_("One name a line."), validators=[multi_line])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.CharField(_("opened by"), max_length=150)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: The screen as it stood at closing: a closed stocktake shows this, never today's data.
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class StocktakeItem(models.Model):
    """A decision taken or an action agreed at a stocktake; an action may become a milestone or an activity."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        ACTION = "action", _("Action")

    stocktake = models.ForeignKey(Stocktake, verbose_name=_("stocktake"), on_delete=models.CASCADE,
                                  related_name="items")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), validators=[multi_line])
    owner = models.CharField(_("owner"), max_length=150, blank=True, validators=[single_line])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The activity it concerns."),
    )
    milestone = models.ForeignKey(
        "tracker.Milestone", verbose_name=_("milestone made from it"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity made from it"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["stocktake", "kind", "id"]
        verbose_name = _("stocktake decision or action")
        verbose_name_plural = _("stocktake decisions and actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class ReviewReminderLog(EmailLedger):
    """Ledger: each overdue review of an assessment is announced to each recipient once (claimed first)."""

    assessment = models.ForeignKey(ConfidenceAssessment, verbose_name=_("assessment"), on_delete=models.CASCADE,
                                   related_name="+")
    recipient = models.EmailField(_("recipient"))

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "recipient"], name="reviewreminder_once_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} → {self.recipient}"
