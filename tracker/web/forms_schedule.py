"""Forms of the schedule (issue 17). They only collect input; tracker/services/schedule.py decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import Activity, Dependency
from tracker.web.forms_delivery import DomainErrorsMixin


class LinkForm(DomainErrorsMixin, forms.Form):
    BEFORE, AFTER = "waits_on", "needed_by"
    prefix = "link"  # the activity page holds other forms' fields
    direction = forms.ChoiceField(
        label=_("This activity"), choices=[(BEFORE, _("waits on")), (AFTER, _("is needed by"))], initial=BEFORE,
    )
    other = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    kind = forms.ChoiceField(label=_("Kind of link"), choices=Dependency.Kind.choices,
                             initial=Dependency.Kind.FINISH_TO_START)

    def __init__(self, *args: object, activity: Activity, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The same presidency's activities; the service refuses the rest with a reason anyway.
        self.fields["other"].queryset = (
            Activity.objects.filter(priority__presidency_id=activity.priority.presidency_id)
            .exclude(pk=activity.pk).select_related(None).only("id", "title", "title_ru", "priority_id")
            .order_by("priority_id", "due_date", "id")
        )
        self.fields["other"].label_from_instance = lambda a: a.display_title


class BaselineForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why this plan is approved now (for example: agreed at the stocktake)."))
