"""The web board's forms. Filters reuse the shared ActivityFilter (only its widgets are adapted for the
page); the write forms only collect input, and the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker import workflow
from tracker.errors import DomainError, InvalidInput
from tracker.filters import ActivityFilter
from tracker.models import Activity, Body, MemberState, Presidency
from tracker.workflow import Status

#: The filters the board shows; any other ActivityFilter parameter still works in the URL.
BOARD_FILTERS = ("search", "priority", "status", "kind", "body", "state", "overdue", "owner")
_CHECKBOX_FILTERS = ("priority", "status", "kind", "body")


def board_filterset(data: Mapping[str, Any], presidency: Presidency, queryset, request: Any = None) -> ActivityFilter:
    """The shared ActivityFilter, bound to the query string, with widgets suited to the board's filter bar.
    `request` lets `owner=me` mean the person looking."""
    filterset = ActivityFilter(data=data or None, queryset=queryset, request=request)
    fields = filterset.form.fields
    fields["owner"].widget = forms.Select(choices=owner_choices())
    fields["priority"].queryset = presidency.priorities.all()
    fields["body"].queryset = Body.objects.order_by("name")
    fields["state"].queryset = MemberState.objects.all()
    fields["state"].empty_label = _("Any state")
    for name in _CHECKBOX_FILTERS:
        field = fields[name]
        field.widget = forms.CheckboxSelectMultiple()
        field.widget.choices = field.choices
    fields["overdue"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Overdue only")), ("false", _("Not overdue"))]
    )
    fields["search"].widget = forms.TextInput(attrs={"type": "search", "placeholder": _("Title, description, code")})
    # The filters shown as drop-down check lists, in the bar's order (templates cannot look fields up by name).
    filterset.form.menu_fields = [filterset.form[name] for name in _CHECKBOX_FILTERS]
    return filterset


def owner_choices() -> list[tuple[str, Any]]:
    """The owner filter's menu: anyone, me, then the people who may own activities (one query)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from tracker.models import Role

    people = (get_user_model().objects.filter(is_active=True)
              .filter(Q(is_superuser=True) | Q(staff_profile__role__in=[Role.EDITOR, Role.COORDINATOR]))
              .order_by("username").values_list("username", flat=True))
    return [("", _("Anyone")), ("me", _("Me")), *((name, name) for name in people)]


def owner_key(request: Any, query: Mapping[str, Any]) -> int | None:
    """What a cached page's key needs of the viewer: `owner=me` means a different list for each person."""
    return request.user.pk if query.get("owner") == "me" else None


def active_filter_count(filterset: ActivityFilter) -> int:
    """How many of the board's filters are set, for the filter bar's summary."""
    data = filterset.data
    return sum(1 for name in BOARD_FILTERS if any(data.getlist(name))) if hasattr(data, "getlist") else 0


class MoveForm(forms.Form):
    """A card moved to another column: the target status and the version the card was rendered with."""

    status = forms.ChoiceField(label=_("Move to"), choices=Status.choices)
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    filters = forms.CharField(required=False, widget=forms.HiddenInput)  # the board's query string
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class QuickUpdateForm(forms.Form):
    """Status, progress and a note, as reported from the activity page."""

    status = forms.ChoiceField(label=_("Status"))
    progress = forms.IntegerField(
        label=_("Progress, %"), min_value=0, max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed, for the progress log."),
    )
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, activity: Activity, has_milestones: bool, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"status": activity.status, "progress": activity.progress, "expected_version": activity.version}
        )
        super().__init__(*args, **kwargs)
        self.activity = activity
        statuses = [activity.status, *workflow.allowed_targets(activity.status)]
        self.fields["status"].choices = [(s, workflow.label(s)) for s in Status.values if s in statuses]
        self.fields["status"].help_text = _("Only the moves the workflow allows from here are offered.")
        if has_milestones:
            # The service derives progress from the milestones; the field shows it without offering a change.
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = _("Follows the milestones: tick them below.")

    def changes(self) -> dict[str, Any]:
        """What the person actually changed, so that an untouched field does not count as a report."""
        changed = set(self.changed_data)
        return {
            "status": self.cleaned_data["status"] if "status" in changed else None,
            "progress": self.cleaned_data["progress"] if "progress" in changed else None,
            "note": self.cleaned_data["note"],
        }

    def add_domain_error(self, error: DomainError) -> None:
        """Put the service's refusal next to the field it concerns."""
        errors = error.errors if isinstance(error, InvalidInput) else {error.field or "__all__": [error.message]}
        for field, messages in errors.items():
            target = field if field in self.fields and field != "expected_version" else None
            for message in messages:
                self.add_error(target, message)


class ConfirmDateForm(forms.Form):
    """Confirming a date names the version the page showed, so a date changed meanwhile is not confirmed blind."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class MilestoneToggleForm(forms.Form):
    done = forms.BooleanField(required=False)
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
