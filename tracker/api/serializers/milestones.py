"""Milestones."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tracker.api.serializers.activities import date_basis_read_field
from tracker.api.serializers.strict import (
    READ_ONLY_HINT,
    StrictBooleanField,
    StrictInputMixin,
    StrictIntegerField,
    StrictModelSerializer,
)
from tracker.models import (
    Milestone,
)

# --- Milestones ------------------------------------------------------------------------------------------

class MilestoneSerializer(StrictInputMixin, StrictModelSerializer):
    read_only_hints = {
        name: READ_ONLY_HINT for name in ("id", "activity", "done_at", "date_basis", "date_basis_note",
                                      "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at")
    }
    # Bounds written out: the column's range differs between SQLite and PostgreSQL, the API's does not.
    order = StrictIntegerField(min_value=0, max_value=32767, required=False,
                               help_text=_("Position in the checklist; the next free one when left out."))
    date_basis = date_basis_read_field()

    class Meta:
        model = Milestone
        fields = ["id", "activity", "order", "title", "title_ru", "due_date", "done", "done_at", "date_basis",
                  "date_basis_note", "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at"]
        read_only_fields = ["id", "activity", "done_at", "date_basis", "date_basis_note", "date_basis_note_ru",
                            "date_confirmed_by", "date_confirmed_at"]
        extra_kwargs = {"order": {"required": False}, "done": {"required": False}}
        validators: list = []


class MilestoneToggleSerializer(StrictInputMixin, serializers.Serializer):
    done = StrictBooleanField(required=False, help_text=_("Tick (true) or untick (false); omit to flip."))
