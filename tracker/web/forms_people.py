"""Forms of people on the board (issue 13). They only collect input; tracker/services/people.py decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.models import Activity, EmailChoice, NotificationKind, Role
from tracker.web.forms_delivery import DomainErrorsMixin


class CommentForm(DomainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=10_000, strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": "1"}),
        help_text=_("**bold**, *italic*, `code`, lists, links; @username tells a colleague."),
    )
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment_%s")
        super().__init__(*args, **kwargs)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why hide it"), max_length=300)


def _owners() -> Any:
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(staff_profile__role__in=[Role.EDITOR, Role.COORDINATOR]))
            .order_by("username"))


class PeopleForm(DomainErrorsMixin, forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Nobody"),
                                   help_text=_("An editor of the responsible body or a coordinator."))
    contributors = forms.ModelMultipleChoiceField(
        label=_("Contributors"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4}))
    expected_version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "people_%s")
        kwargs.setdefault("initial", {"owner": activity.owner_id, "expected_version": activity.version,
                                      "contributors": [u.pk for u in activity.contributors.all()]})
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _owners()
        self.fields["owner"].label_from_instance = lambda user: user.get_username()
        self.fields["contributors"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        # One query for both menus would need a custom widget; two small ones are the price of the form.
        self.fields["contributors"].label_from_instance = lambda user: user.get_username()


class PreferencesForm(DomainErrorsMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=EmailChoice.choices, widget=forms.RadioSelect)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    shared = forms.BooleanField(label=_("Share with everyone"), required=False)
