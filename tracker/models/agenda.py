"""The agenda: a presidency, its priorities and the activities under them (milestones and the progress log:
progress.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker import clock, workflow
from tracker.models.base import CodeManager, localized
from tracker.models.participation import Participation
from tracker.models.reference import Body, MemberState
from tracker.validators import multi_line, single_line
from tracker.workflow import Status


class DateBasis(models.TextChoices):
    """What a date rests on. Seeded dates the source never gives must not read as commitments."""

    SOURCE = "source", _("Stated in the source")
    ASSUMPTION = "assumption", _("Planning assumption")
    DECISION = "decision", _("Confirmed decision")


class DatedBasisMixin(models.Model):
    """A date's basis and, once staff confirm it, who turned it into a decision and when."""

    date_basis = models.CharField(
        _("date basis"), max_length=20, choices=DateBasis.choices, blank=True,
        help_text=_("Whether the source states the date, it is a planning assumption, or staff decided it."),
    )
    date_basis_note = models.TextField(
        _("basis of the date"), blank=True, help_text=_("The source's words, or the reason for the assumption.")
    )
    date_basis_note_ru = models.TextField(_("basis of the date (Russian)"), blank=True)
    date_confirmed_by = models.CharField(_("date confirmed by"), max_length=150, blank=True, editable=False)
    date_confirmed_at = models.DateTimeField(_("date confirmed at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def display_date_basis_note(self) -> str:
        return localized(self, "date_basis_note")


class Presidency(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    organisation_short = models.CharField(_("short name"), max_length=20, default="CSTO")
    organisation_short_ru = models.CharField(_("short name (Russian)"), max_length=20, blank=True)
    chair_state = models.ForeignKey(MemberState, verbose_name=_("chair state"), on_delete=models.PROTECT)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    slogan = models.CharField(_("slogan"), max_length=300, blank=True)
    slogan_ru = models.CharField(_("slogan (Russian)"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_ru = models.TextField(_("summary (Russian)"), blank=True)
    predecessor = models.OneToOneField(
        "self", verbose_name=_("predecessor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="successor", help_text=_("The presidency before this one; it hands its open work over."),
    )

    objects = CodeManager()

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("presidency")
        verbose_name_plural = _("presidencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="presidency_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_organisation_short} {self.period_start.year}: {self.chair_state.display_name}"

    @property
    def display_organisation_short(self) -> str:
        return localized(self, "organisation_short")

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    @property
    def display_slogan(self) -> str:
        return localized(self, "slogan")

    @property
    def display_summary(self) -> str:
        return localized(self, "summary")

    def year_elapsed_percent(self, today: dt.date) -> int:
        """How far into the presidency period `today` is, 0 to 100."""
        if today < self.period_start:
            return 0
        total = (self.period_end - self.period_start).days + 1
        elapsed = (min(today, self.period_end) - self.period_start).days + 1
        return round(100 * elapsed / total)


class PriorityManager(models.Manager):
    def get_by_natural_key(self, presidency_code: str, number: int) -> Priority:
        return self.get(presidency__code=presidency_code, number=number)


class Priority(models.Model):
    presidency = models.ForeignKey(
        Presidency, verbose_name=_("presidency"), on_delete=models.CASCADE, related_name="priorities"
    )
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title = models.CharField(_("title"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_ru = models.TextField(_("summary (Russian)"), blank=True)
    source_quote = models.TextField(_("source quote"), blank=True, help_text=_("The speech's own words."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PriorityManager()

    class Meta:
        ordering = ["presidency", "order", "number"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            models.UniqueConstraint(fields=["presidency", "number"], name="priority_number_unique_in_presidency"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=4), name="priority_number_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.display_title}"

    def natural_key(self) -> tuple[str, int]:
        return (*self.presidency.natural_key(), self.number)

    natural_key.dependencies = ["tracker.presidency"]

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_summary(self) -> str:
        return localized(self, "summary")


def _history_name(name: str) -> str:
    # The participations' history keeps the table it had as the plain participating-states list.
    return "HistoricalActivity_participating_states" if name == "Participation" else f"Historical{name}"


class Activity(DatedBasisMixin, models.Model):
    class Kind(models.TextChoices):
        EXERCISE = "exercise", _("Exercise")
        MEETING = "meeting", _("Meeting")
        DIALOGUE = "dialogue", _("Dialogue")
        DOCUMENT = "document", _("Document")
        PROGRAMME = "programme", _("Programme")
        OTHER = "other", _("Other")

    code = models.SlugField(
        _("code"), max_length=60, unique=True, null=True, blank=True,
        help_text=_("Stable short key, used by the seed and in reports."),
    )
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=300, validators=[single_line])
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, validators=[single_line])
    description = models.TextField(_("description"), blank=True, validators=[multi_line])
    description_ru = models.TextField(_("description (Russian)"), blank=True, validators=[multi_line])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), help_text=_("The deadline."))
    completed_date = models.DateField(_("completed date"), null=True, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(
        _("progress, %"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    responsible_body = models.ForeignKey(
        Body, verbose_name=_("responsible body"), on_delete=models.PROTECT, related_name="activities"
    )
    lead_state = models.ForeignKey(
        MemberState, verbose_name=_("lead state"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_activities",
    )
    participating_states = models.ManyToManyField(
        MemberState, verbose_name=_("participating states"), blank=True, related_name="activities",
        through=Participation,  # each state's role and level (tracker/models/commitments.py)
    )
    location = models.CharField(_("location"), max_length=200, blank=True, validators=[single_line])
    source_quote = models.TextField(
        _("source quote"), blank=True, help_text=_("The source's own words this activity rests on, verbatim.")
    )
    external_source = models.CharField(
        _("external source"), max_length=50, blank=True, help_text=_("The other system this activity comes from."),
        validators=[single_line],
    )
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True, help_text=_("The activity's key in that system."),
        validators=[single_line],
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("watchers"), blank=True, related_name="watched_activities"
    )
    # The person in charge besides the body (issue 13); permissions.can_own_activity says who may be named.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_activities",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("contributors"), blank=True, related_name="contributed_activities"
    )
    # One copy at most: a carried-over activity cannot be carried over twice (the database keeps it so).
    carried_over_from = models.OneToOneField(
        "self", verbose_name=_("carried over from"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="carried_over_to", editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False, db_index=True)

    history = HistoricalRecords(
        m2m_fields=[participating_states], excluded_fields=["updated_at"], custom_model_name=_history_name
    )
    objects = CodeManager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~models.Q(external_id=""),
                name="activity_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(external_source="", external_id="")
                | (~models.Q(external_source="") & ~models.Q(external_id="")),
                name="activity_external_ref_complete",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="activity_progress_0_100"),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True) | models.Q(due_date__gte=models.F("start_date")),
                name="activity_due_not_before_start",
            ),
        ]
        indexes = [
            # Covering (PostgreSQL): the presidency's roll-ups, burn-up, board counts, first cards and timeline
            # rows read an index-only range per priority, not every page of the table (issue 18, performance.md).
            models.Index(fields=["priority", "status"], name="activity_priority_figures",
                         include=["due_date", "start_date", "completed_date", "progress", "id"]),
            models.Index(fields=["due_date", "id"], name="activity_due_id"),
            # A priority's activities in deadline order: the API's commonest list. Without it PostgreSQL
            # walked activity_due_id through every earlier presidency's rows (docs/performance.md, EXPLAIN).
            models.Index(fields=["priority", "due_date", "id"], name="activity_priority_due_id"),
            models.Index(fields=["updated_at", "id"], name="activity_updated_id"),
            models.Index(fields=["responsible_body", "status"], name="activity_body_status"),
        ]

    def __str__(self) -> str:
        return self.display_title

    def natural_key(self) -> tuple[str | None]:
        return (self.code,)

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    # Derived states: computed on read from the workflow's rules, never stored.
    def is_overdue(self, today: dt.date | None = None) -> bool:
        return workflow.is_overdue(status=self.status, due_date=self.due_date, today=today or clock.today())

    def days_left(self, today: dt.date | None = None) -> int | None:
        return workflow.days_left(due_date=self.due_date, today=today or clock.today())

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors.setdefault("due_date", []).append(_("The due date cannot be before the start date."))
        if bool(self.external_source) != bool(self.external_id):
            errors.setdefault("external_id", []).append(
                _("An external reference needs both a source and an id, or neither.")
            )
        if self.priority_id:
            errors_for_period = _dates_outside_period(self, self.priority.presidency)
            for field, message in errors_for_period.items():
                errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)


def _dates_outside_period(activity: Activity, presidency: Presidency) -> dict[str, str]:
    """Dates far outside the presidency's period are almost always typing mistakes (2032 for 2023)."""
    slack = dt.timedelta(days=settings.AGENDA_DATE_SLACK_DAYS)
    earliest, latest = presidency.period_start - slack, presidency.period_end + slack
    problems = {}
    for field in ("start_date", "due_date"):
        value = getattr(activity, field)
        if value and not earliest <= value <= latest:
            problems[field] = _(
                "%(date)s is too far outside the presidency period %(start)s – %(end)s; dates from %(earliest)s "
                "to %(latest)s are accepted. Check the year, or file the activity under the right presidency."
            ) % {
                "date": value.isoformat(), "start": presidency.period_start.isoformat(),
                "end": presidency.period_end.isoformat(), "earliest": earliest.isoformat(),
                "latest": latest.isoformat(),
            }
    return problems
