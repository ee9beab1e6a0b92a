"""Forms of the secretariat's rhythm. They only collect input; tracker/services/delivery.py decides."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.errors import DomainError, InvalidInput
from tracker.models import Activity, Body, RaidEntry, Rating, StocktakeItem
from tracker.models.delivery import RATING_DEFINITIONS, RATING_SHAPE


class DomainErrorsMixin:
    def add_domain_error(self, error: DomainError) -> None:
        """Put the service's refusal next to the field it concerns (or above the form)."""
        errors = error.errors if isinstance(error, InvalidInput) else {error.field or "__all__": [error.message]}
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


def rating_choices() -> list[tuple[str, str]]:
    """Each rating with its shape, its name and its definition: the scale explained where it is chosen."""
    return [
        (value, format_html('<span class="rating-shape" aria-hidden="true">{}</span> <strong>{}</strong> '
                            '<span class="rating-definition">{}</span>', RATING_SHAPE[value], label,
                            RATING_DEFINITIONS[value]))
        for value, label in Rating.choices
    ]


class AssessmentForm(DomainErrorsMixin, forms.Form):
    rating = forms.ChoiceField(label=_("Delivery confidence"), choices=(), widget=forms.RadioSelect)
    narrative = forms.CharField(label=_("Narrative"), widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("Why this rating: what stands in the way, what helps."))
    actions = forms.CharField(label=_("Actions planned"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_review = forms.DateField(label=_("Next review"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "assess_%s")  # the activity page has other forms with the same field names
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = rating_choices()


class RaidEntryForm(DomainErrorsMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "risk_%s")  # the quick update form on the same page has a `status` too
        super().__init__(*args, **kwargs)
        self.fields["status"].label = _("Open, monitoring or closed")  # not to be read as the activity's status

    class Meta:
        model = RaidEntry
        fields = ["kind", "statement", "owner", "likelihood", "impact", "response", "due_date", "status",
                  "escalated"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "response": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "likelihood": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }


class StocktakeOpenForm(DomainErrorsMixin, forms.Form):
    priority = forms.ModelChoiceField(label=_("Scope"), queryset=None, required=False,
                                      empty_label=_("The whole presidency"))
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), required=False, max_length=200,
                            help_text=_("Empty: the monthly stocktake's usual title."))

    def __init__(self, *args, presidency=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = presidency.priorities.all() if presidency else None


class AttendeesForm(DomainErrorsMixin, forms.Form):
    attendees = forms.CharField(label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One name a line."))


class StocktakeItemForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=StocktakeItem.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Owner"), required=False, max_length=150)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=None, required=False,
                                      empty_label=_("None in particular"))

    def __init__(self, *args, activities=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities


class ActionToActivityForm(DomainErrorsMixin, forms.Form):
    """What a coordinator chooses when a stocktake action becomes a new activity (services_delivery decides)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=None)
    responsible_body = forms.ModelChoiceField(label=_("Responsible body"), queryset=Body.objects.order_by("name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices, initial=Activity.Kind.OTHER)
    start_date = forms.DateField(label=_("Start date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, item: StocktakeItem, **kwargs) -> None:
        source = item.activity
        kwargs.setdefault("initial", {
            "title": item.text[:300], "due_date": item.due_date, "kind": Activity.Kind.OTHER,
            "priority": source.priority_id if source else item.stocktake.priority_id,
            "responsible_body": source.responsible_body_id if source else None,
        })
        kwargs.setdefault("prefix", f"action-{item.pk}")
        self.item_pk = item.pk
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = item.stocktake.presidency.priorities.order_by("number")
