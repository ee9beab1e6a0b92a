"""Activities: the representation, writes, bulk requests, reports, the progress log and the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker import clock, services, shape, workflow
from tracker.api.serializers.strict import (
    BULK_MAX_ITEMS,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
    READ_ONLY_HINT,
    VERSION_HINT,
    CachedRelatedField,
    SharedValuesMixin,
    StrictCharField,
    StrictChoiceField,
    StrictInputMixin,
    StrictIntegerField,
    StrictModelSerializer,
)
from tracker.models import (
    Activity,
    DateBasis,
    MemberState,
    ProgressUpdate,
)
from tracker.workflow import Status

# --- Activities ------------------------------------------------------------------------------------------

def date_basis_read_field() -> serializers.ChoiceField:
    # Declared so the schema admits the empty value: dates nobody has given a basis for.
    return serializers.ChoiceField(
        choices=DateBasis.choices, allow_blank=True, read_only=True,
        help_text=_("Whether the source states the date, it is a planning assumption, or staff decided it."),
    )


class ActivitySerializer(serializers.ModelSerializer):
    """An activity as the API shows it. `version` is also sent as the ETag header."""

    date_basis = date_basis_read_field()

    presidency = serializers.IntegerField(source="priority.presidency_id", read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("Past its due date and not done or cancelled."))
    days_left = serializers.SerializerMethodField(help_text=_("Days to the due date; negative once it passed."))
    allowed_transitions = serializers.SerializerMethodField(
        help_text=_("The statuses this activity may move to now.")
    )
    codes = serializers.SerializerMethodField(
        help_text=_("The related rows by the codes writes also accept: presidency, priority (presidency:number), "
                    "responsible body, lead state (ISO), participating states (ISO).")
    )

    class Meta:
        model = Activity
        fields = list(shape.API_FIELDS)
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, activity: Activity) -> bool:
        return activity.is_overdue(self._today())

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_left(self, activity: Activity) -> int:
        return activity.days_left(self._today())

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Status.choices)))
    def get_allowed_transitions(self, activity: Activity) -> list[str]:
        return workflow.allowed_targets(activity.status)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_codes(self, activity: Activity) -> dict[str, Any]:
        return _codes(_codes_row(activity), [state.code for state in activity.participating_states.all()])

    def _today(self):
        if "today" not in self.context:
            self.context["today"] = clock.today()
        return self.context["today"]

    def to_representation(self, activity: Activity) -> dict[str, Any]:
        """The same fields as the declared ones, built directly: a page of 100 activities is the API's
        hottest path, and DRF's per-field machinery cost half of its time (docs/performance.md).
        tests/api/test_activities_read.py checks that this equals the generic representation."""
        states = list(activity.participating_states.all())
        row = {**activity.__dict__, **_codes_row(activity), "state_codes": [state.code for state in states]}
        return represent_row(row, activity.priority.presidency_id, [state.pk for state in states], self._today())

    def generic_representation(self, activity: Activity) -> dict[str, Any]:
        """DRF's own field-by-field representation, which to_representation must equal (tests)."""
        return super().to_representation(activity)


_DATETIME = serializers.DateTimeField()

def _codes_row(activity: Activity) -> dict[str, Any]:
    return {
        "presidency_code": activity.priority.presidency.code, "priority_number": activity.priority.number,
        "responsible_body_code": activity.responsible_body.code,
        "lead_state_code": activity.lead_state.code if activity.lead_state_id else None,
    }


def _codes(row: Mapping[str, Any], state_codes: list[str]) -> dict[str, Any]:
    return {
        "presidency": row["presidency_code"],
        "priority": shape.priority_code(row["presidency_code"], row["priority_number"]),
        "responsible_body": row["responsible_body_code"],
        "lead_state": row["lead_state_code"],
        "participating_states": state_codes,
    }



def _iso_datetime(value: Any, zone: Any) -> str | None:
    """DRF's DateTimeField representation (ISO 8601 in the current zone, "Z" for UTC) without its per-call
    settings and zone lookups: three of them per row were a third of a list page's time."""
    if value is None:
        return None  # as DRF says it (most rows have no confirmation date)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return _DATETIME.to_representation(value)


def represent_row(row: Mapping[str, Any], presidency_id: int, states: list[int], today: Any,
                  zone: Any = None) -> dict[str, Any]:
    """An activity's representation from its stored columns (with the related rows' codes and `state_codes`,
    see selectors.activity_rows_with_states), its presidency and its participating states' ids (in
    MemberState's order): the one definition behind ActivitySerializer and the list. Its keys are
    shape.API_FIELDS, spelt out because this is the API's hottest path (a test checks they agree)."""
    status, due_date = row["status"], row["due_date"]
    zone = zone or timezone.get_current_timezone()  # a page passes it once for all its rows
    return {
        "id": row["id"],
        "code": row["code"],
        "presidency": presidency_id,
        "priority": row["priority_id"],
        "title": row["title"],
        "title_ru": row["title_ru"],
        "description": row["description"],
        "description_ru": row["description_ru"],
        "kind": row["kind"],
        "status": status,
        "start_date": _iso_date(row["start_date"]),
        "due_date": _iso_date(due_date),
        "completed_date": _iso_date(row["completed_date"]),
        "progress": row["progress"],
        "responsible_body": row["responsible_body_id"],
        "lead_state": row["lead_state_id"],
        "participating_states": list(states),
        "location": row["location"],
        "external_source": row["external_source"],
        "external_id": row["external_id"],
        "version": row["version"],
        "created_at": _iso_datetime(row["created_at"], zone),
        "updated_at": _iso_datetime(row["updated_at"], zone),
        "overdue": workflow.is_overdue(status=status, due_date=due_date, today=today),
        "days_left": workflow.days_left(due_date=due_date, today=today),
        "allowed_transitions": workflow.allowed_targets(status),
        "source_quote": row["source_quote"],
        "date_basis": row["date_basis"],
        "date_basis_note": row["date_basis_note"],
        "date_basis_note_ru": row["date_basis_note_ru"],
        "date_confirmed_by": row["date_confirmed_by"],
        "date_confirmed_at": _iso_datetime(row["date_confirmed_at"], zone),
        "owner": row["owner_id"],
        "codes": _codes(row, row["state_codes"]),
    }


def _iso_date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


_ACTIVITY_READ_ONLY = {name: READ_ONLY_HINT for name in ActivitySerializer.Meta.fields} | {"version": VERSION_HINT}


class ActivityWriteSerializer(StrictInputMixin, StrictModelSerializer):
    """The fields a client may set on an activity. Status changes here follow the workflow too."""

    read_only_hints = _ACTIVITY_READ_ONLY

    description = StrictCharField(required=False, allow_blank=True, max_length=MAX_TEXT_LENGTH)
    description_ru = StrictCharField(required=False, allow_blank=True, max_length=MAX_TEXT_LENGTH)
    note = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH, write_only=True,
        help_text=_("Why the change was made; kept in the progress log."),
    )
    # Declared: the states' table is the participation records now, which DRF would make read-only. States
    # set here take part as participants; their roles are set through the participation records.
    participating_states = CachedRelatedField(
        many=True, queryset=MemberState.objects.all(), required=False, label=_("participating states")
    )
    owner = CachedRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True,
        label=_("owner"), help_text=_("The user id of the person in charge: an editor of the body or a coordinator."),
    )

    class Meta:
        model = Activity
        fields = [*sorted(services.ACTIVITY_FIELDS), "note"]
        extra_kwargs = {
            "code": {"validators": []},  # uniqueness is the service's (and the database's) to check
        }
        validators: list = []


class ActivityByRefSerializer(ActivityWriteSerializer):
    """An upsert by the other system's reference: the reference is in the URL, not the body."""

    read_only_hints = {
        **_ACTIVITY_READ_ONLY,
        "external_source": _("Given in the URL: /activities/by-ref/{source}/{ref}/."),
        "external_id": _("Given in the URL: /activities/by-ref/{source}/{ref}/."),
    }

    class Meta(ActivityWriteSerializer.Meta):
        fields = [*sorted(services.ACTIVITY_FIELDS - {"external_source", "external_id"}), "note"]


class BulkItemSerializer(SharedValuesMixin, ActivityWriteSerializer):
    """One upsert of a bulk request: the reference and the fields, as in PUT .../by-ref/{source}/{ref}/."""

    external_source = StrictCharField(max_length=50, help_text=_("The other system's name."))
    external_id = StrictCharField(max_length=100, help_text=_("The activity's key in that system."))

    class Meta(ActivityWriteSerializer.Meta):
        fields = sorted(services.ACTIVITY_FIELDS)


class BulkRequestSerializer(StrictInputMixin, serializers.Serializer):
    items = BulkItemSerializer(many=True, max_length=BULK_MAX_ITEMS, allow_empty=False)
    note = StrictCharField(required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH,
                           help_text=_("Kept in the progress log of every changed activity."))

    def to_internal_value(self, data: Any) -> Any:
        items = data.get("items") if isinstance(data, Mapping) else None
        if isinstance(items, list) and len(items) > BULK_MAX_ITEMS:
            # Say so before validating 10,000 items one by one.
            raise serializers.ValidationError({"items": [_(
                "At most %(max)s items per request; this one has %(count)s. Split it into several requests."
            ) % {"max": BULK_MAX_ITEMS, "count": len(items)}]})
        return super().to_internal_value(data)


class BulkResultItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.IntegerField()
    external_source = serializers.CharField()
    external_id = serializers.CharField()
    version = serializers.IntegerField()
    created = serializers.BooleanField()


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("How many activities were created."))
    updated = serializers.IntegerField(help_text=_("How many existing activities were updated or left as they were."))
    results = BulkResultItemSerializer(many=True)


class TransitionSerializer(StrictInputMixin, serializers.Serializer):
    status = StrictChoiceField(choices=Status.choices, help_text=_("The status to move to."))
    note = StrictCharField(required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH, default="")


class ConfirmDatesSerializer(StrictInputMixin, serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH, default="",
                           help_text=_("Why the dates stand; shown in the activity's log."))


class ConfirmMilestoneDateSerializer(StrictInputMixin, serializers.Serializer):
    """Confirming a milestone's date takes no input; anything sent is refused by name, not ignored."""


class ProgressReportSerializer(StrictInputMixin, serializers.Serializer):
    progress = StrictIntegerField(min_value=0, max_value=100, required=False,
                                  help_text=_("Percent complete, 0 to 100."))
    status = StrictChoiceField(choices=Status.choices, required=False,
                               help_text=_("A new status, if it changed; the workflow must allow it."))
    note = StrictCharField(required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH, default="",
                           help_text=_("What happened; shown in the activity's log."))


class ProgressUpdateSerializer(serializers.ModelSerializer):
    old_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True,
                                         help_text=_("Empty on the first row of an activity (its creation)."))
    new_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    note = serializers.CharField(
        source="display_note", read_only=True,
        help_text=_("The note, in the request's language where the tracker wrote it (see `event`)."),
    )
    event = serializers.CharField(
        read_only=True, help_text=_("What the tracker itself recorded, as a code (e.g. `milestone_done`, `note`); "
                                    "empty for an ordinary change."),
    )
    event_params = serializers.DictField(read_only=True, help_text=_("The event's parameters (e.g. `title`)."))

    class Meta:
        model = ProgressUpdate
        fields = [
            "id", "activity", "created_at", "actor_name", "channel", "old_status", "new_status", "old_progress",
            "new_progress", "old_due_date", "new_due_date", "note", "event", "event_params",
        ]
        read_only_fields = fields


class ActivityVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    progress = serializers.IntegerField()


class ProgressReportResultSerializer(ProgressUpdateSerializer):
    """The log row a report created, with the activity's state after it."""

    activity_state = serializers.SerializerMethodField()

    class Meta(ProgressUpdateSerializer.Meta):
        fields = [*ProgressUpdateSerializer.Meta.fields, "activity_state"]
        read_only_fields = fields

    @extend_schema_field(ActivityVersionSerializer)
    def get_activity_state(self, update: ProgressUpdate) -> dict:
        activity = self.context["activity"]
        return {"id": activity.pk, "version": activity.version, "status": activity.status,
                "progress": activity.progress}


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    at = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    version = serializers.IntegerField()
    user = serializers.CharField(allow_null=True, help_text=_("The staff member, when the change came from one."))
    reason = serializers.CharField(allow_null=True, help_text=_("Channel and actor (e.g. `api: ministry-x`)."))
    reason_data = serializers.DictField(
        allow_null=True, help_text=_("The reason as data: channel, actor, event, params and note.")
    )
    changes = FieldChangeSerializer(many=True)
