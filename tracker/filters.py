"""FilterSets shared by the web board and the API, so a filter means the same thing at both doors."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tracker import clock, workflow
from tracker.models import Activity, Body, MemberState, Presidency, Priority
from tracker.validators import plain_digits
from tracker.workflow import Status

_DB_INT_RANGE = range(-(2**63), 2**63)


class _IdsField(django_filters.fields.ModelMultipleChoiceField):
    """Ids to choose from; one too large for the database is an invalid choice, not a crash in the query."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django reports it as an invalid value
            if number not in _DB_INT_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class _IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _IdsField


class IdFilter(django_filters.NumberFilter):
    """One row's id: a whole number from 1 to the database's largest, else a 400 naming the parameter (a
    NumberFilter took "1.5", and 25 digits overflowed SQLite's integer: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", _DB_INT_RANGE.stop - 1)
        super().__init__(*args, **kwargs)


# "2023-05-01T10:00:00 03:00": the "+" of an offset sent unencoded in a query string arrives as a space.
_PLUS_AS_SPACE = re.compile(r"\d[ ]\d{2}(:?\d{2})?$")


# A parameter, not a literal "%2B": both the API (django-filter) and the web form %-format the message.
_ENCODED_PLUS = {"plus": "%2B"}


class _AwareIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment with its time zone: without one the moment is ambiguous by hours, so it is refused
    rather than read in the server's zone; an unencoded "+" gets a message saying how to send it."""

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else ""
        if text and _PLUS_AS_SPACE.search(text):
            raise ValidationError(
                _('The time zone\'s "+" arrived as a space: in a URL write it as %(plus)s (for example '
                  '2023-05-01T10:00:00%(plus)s03:00), or give the time in UTC with Z.'),
                code="plus_not_encoded", params=_ENCODED_PLUS,
            )
        try:
            parsed = parse_datetime(text) if text else None
        except ValueError:
            parsed = None  # out of range: the parent's message
        if parsed is not None and parsed.tzinfo is None:
            raise ValidationError(
                _("Give a time zone: add Z for UTC or an offset such as +03:00 (encoded as %(plus)s03:00 in a URL)."),
                code="no_time_zone", params=_ENCODED_PLUS,
            )
        moment = super().to_python(value)
        if moment is None:
            return None
        # As UTC: PostgreSQL refuses offsets beyond ±15:59 ("+16:27" was a 500), though Python takes up to 24 h.
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            raise ValidationError(_("Enter a valid date/time."), code="invalid") from None


class _AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _AwareIsoDateTimeField


class _PresidencyField(django_filters.fields.ModelChoiceField):
    """A presidency's id, or `current`: the presidency whose period holds today (selectors.current_presidency),
    so that an integrator need not look the id up again when the chair rotates."""

    def clean(self, value: object) -> Presidency | None:
        if value == CURRENT:
            from tracker.selectors import current_presidency

            return current_presidency(clock.today())
        return super().clean(value)


CURRENT = "current"


class PresidencyFilter(django_filters.ModelChoiceFilter):
    """`?presidency=<id>` or `?presidency=current`: the one presidency filter of every list (docs/api.md)."""

    field_class = _PresidencyField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("queryset", Presidency.objects.all())
        kwargs.setdefault("label", _("Presidency (an id, or “current”)"))
        super().__init__(*args, **kwargs)


class ActivityFilter(django_filters.FilterSet):
    presidency = PresidencyFilter(field_name="priority__presidency")
    # distinct=False: these are the activity's own columns, so no row can appear twice, and DISTINCT would
    # make the database sort and compare every column of every match (docs/performance.md).
    priority = _IdsFilter(queryset=Priority.objects.all(), label=_("Priority"), distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    kind = django_filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"), distinct=False)
    body = _IdsFilter(
        field_name="responsible_body", queryset=Body.objects.all(), label=_("Responsible body"), distinct=False
    )
    state = django_filters.ModelChoiceFilter(
        queryset=MemberState.objects.all(), method="filter_state", label=_("State (lead or participating)")
    )
    owner = django_filters.CharFilter(
        method="filter_owner", label=_("Owner"),
        help_text=_("A user id or username; on the web board also \"me\"."),
    )
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    updated_since = _AwareIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Updated at or after (ISO 8601)")
    )
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("due_date", "due_date"),
            ("updated_at", "updated"),
            ("priority__number", "priority"),
            ("title", "title"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def filter_state(self, queryset: QuerySet[Activity], name: str, value: MemberState | None) -> QuerySet[Activity]:
        if value is None:
            return queryset
        in_activity = Activity.objects.filter(participating_states=value).values("pk")
        return queryset.filter(Q(lead_state=value) | Q(pk__in=in_activity))

    def filter_owner(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        value = (value or "").strip()
        if not value:
            return queryset
        if value == "me":
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()  # an API key is nobody's "me"
            return queryset.filter(owner_id=user.pk)
        if plain_digits(value) and int(value) in _DB_INT_RANGE:
            return queryset.filter(owner_id=int(value))
        return queryset.filter(owner__username=value)

    def filter_overdue(self, queryset: QuerySet[Activity], name: str, value: bool | None) -> QuerySet[Activity]:
        if value is None:
            return queryset
        overdue = workflow.overdue_q(clock.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_search(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(title_ru__icontains=term)
                | Q(description__icontains=term) | Q(description_ru__icontains=term)
                | Q(code__icontains=term)
            )
        return queryset

    @property
    def qs(self) -> QuerySet[Activity]:
        return ordered_totally(super().qs)


def ordered_totally(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """The activity lists' order, whatever the chosen ordering (by deadline by default): ties are broken by
    id, so pages never skip or repeat. ActivityFilter.qs and the API's list (tracker/api/list_params.py)."""
    ordering = list(queryset.query.order_by) or ["due_date"]
    if "id" not in ordering and "-id" not in ordering:
        ordering.append("id")
    return queryset.order_by(*ordering)
