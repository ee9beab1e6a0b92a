"""What the presidency declared: official sources, the numbered commitments quoted from them, the
activities that serve each commitment, and the outcome a coordinator signs off at the end."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models.agenda import Activity, Presidency, Priority
from tracker.models.base import CodeManager, localized
from tracker.validators import multi_line, single_line


class Source(models.Model):
    """An official text a commitment rests on: a press release, a Council decision, a national plan."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    presidency = models.ForeignKey(
        Presidency, verbose_name=_("presidency"), on_delete=models.CASCADE, related_name="sources"
    )
    title = models.CharField(_("title"), max_length=300, validators=[single_line])
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, validators=[single_line])
    published_on = models.DateField(_("date"))
    publisher = models.CharField(_("publisher"), max_length=200, validators=[single_line])
    publisher_ru = models.CharField(_("publisher (Russian)"), max_length=200, blank=True, validators=[single_line])
    url = models.URLField(_("where published"), max_length=500, blank=True)

    objects = CodeManager()

    class Meta:
        ordering = ["published_on", "code"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.display_title

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    natural_key.dependencies = ["tracker.presidency"]

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_publisher(self) -> str:
        return localized(self, "publisher")


class Outcome(models.TextChoices):
    KEPT = "kept", _("Kept")
    PARTLY_KEPT = "partly_kept", _("Partly kept")
    NOT_KEPT = "not_kept", _("Not kept")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CommitmentManager(models.Manager):
    def get_by_natural_key(self, source_code: str, number: int) -> Commitment:
        return self.get(source__code=source_code, number=number)


class Commitment(models.Model):
    """A numbered statement of what the presidency will do, with the passage of its source it rests on."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="commitments"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="commitments"
    )
    statement = models.CharField(_("statement"), max_length=300, validators=[single_line])
    statement_ru = models.CharField(_("statement (Russian)"), max_length=300, blank=True, validators=[single_line])
    quote = models.TextField(
        _("quotation"), help_text=_("The source's words, verbatim and attributed."), validators=[multi_line]
    )
    quote_ru = models.TextField(_("quotation (Russian)"), blank=True, validators=[multi_line])
    passage = models.PositiveIntegerField(
        _("place in the text"), default=0,
        help_text=_("The paragraph of the source the quotation comes from, counted from 1."),
    )
    success_criterion = models.TextField(_("success criterion"), blank=True, validators=[multi_line])
    success_criterion_ru = models.TextField(_("success criterion (Russian)"), blank=True, validators=[multi_line])
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities"), blank=True, related_name="commitments"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_evidence = models.TextField(_("evidence"), blank=True, validators=[multi_line])
    outcome_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    outcome_signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True, editable=False)

    objects = CommitmentManager()

    class Meta:
        ordering = ["source", "number"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="commitment_number_unique_in_source"),
            # The rule lives in the services; the database backs it so no door can store an unproven outcome.
            models.CheckConstraint(
                condition=models.Q(outcome="") | ~models.Q(outcome_evidence=""),
                name="commitment_outcome_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.display_statement}"

    def natural_key(self) -> tuple[str, int]:
        return (*self.source.natural_key(), self.number)

    natural_key.dependencies = ["tracker.source", "tracker.priority", "tracker.activity"]

    @property
    def display_statement(self) -> str:
        return localized(self, "statement")

    @property
    def display_quote(self) -> str:
        return localized(self, "quote")

    @property
    def display_success_criterion(self) -> str:
        return localized(self, "success_criterion")

