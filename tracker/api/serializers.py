"""What the API reads and writes. Input serializers only check shapes and types and turn ids into objects;
every rule about the agenda (dates, transitions, who may write) is applied by tracker/services.py.

Input is strict: a field the endpoint does not accept is refused by name (400) rather than ignored, so a
typo in an integrator's payload ("progres") is caught the first time, not discovered months later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker import clock, services, shape, workflow
from tracker.events import EVENT_TYPES
from tracker.models import (
    Activity,
    Body,
    DateBasis,
    MemberState,
    Milestone,
    Presidency,
    Priority,
    ProgressUpdate,
    WebhookSubscription,
)
from tracker.workflow import Status

#: Longest free text the API takes in a description or a note (the database itself has no limit).
MAX_TEXT_LENGTH = 20_000
MAX_NOTE_LENGTH = 2_000
#: Most items one bulk request may carry.
BULK_MAX_ITEMS = 500


# --- Strict input ----------------------------------------------------------------------------------------

class StrictInputMixin:
    """Refuse fields the serializer does not accept, naming each, instead of silently ignoring them."""

    #: Fields that appear in responses but cannot be written, with the reason given when a client sends one.
    read_only_hints: Mapping[str, str] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for name in data:
                if name in writable:
                    continue
                if name in self.read_only_hints:
                    errors[name] = [self.read_only_hints[name]]
                else:
                    errors[str(name)] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# --- Strict JSON types: a string where a number belongs (or the reverse) is refused, not coerced ---------------

class JSONTyped:
    """Mixed into a field: it takes only `json_type` (a bool is not an integer), anything else is refused."""

    json_type: type = str

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) != (self.json_type is bool) or not isinstance(data, self.json_type):
            self.refuse(data)
        return super().to_internal_value(data)  # type: ignore[misc]

    def refuse(self, data: Any) -> None:
        self.fail("invalid")  # type: ignore[attr-defined]


class StrictCharField(JSONTyped, serializers.CharField):
    """Text as sent: not trimmed (so the length checked is the length sent), and never a number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class StrictSlugField(JSONTyped, serializers.SlugField):
    pass


class StrictURLField(JSONTyped, serializers.URLField):
    pass


class StrictIntegerField(JSONTyped, serializers.IntegerField):
    json_type = int


class StrictBooleanField(JSONTyped, serializers.BooleanField):
    json_type = bool


class StrictChoiceField(JSONTyped, serializers.ChoiceField):
    def refuse(self, data: Any) -> None:
        self.fail("invalid_choice", input=data)


class CachedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id (a JSON integer), looked up once per request even when a bulk request names it 500 times."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        root = self.root
        cache = root.__dict__.setdefault("_related_cache", {})
        key = (self.queryset.model, data if isinstance(data, int | str) and not isinstance(data, bool) else None)
        if key[1] is not None and key in cache:
            return cache[key]
        value = super().to_internal_value(data)
        if key[1] is not None:
            cache[key] = value
        return value


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields take only the JSON type the schema promises."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
    }
    serializer_related_field = CachedRelatedField
    serializer_choice_field = StrictChoiceField


_VERSION_HINT = _("Read-only. To make a change conditional on a version, send it in the If-Match header.")
_READ_ONLY = _("This field is read-only.")


# --- Reference data --------------------------------------------------------------------------------------

class MemberStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberState
        fields = ["id", "code", "name", "name_ru", "is_member"]


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "code", "name", "name_ru", "kind", "state"]


class PresidencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Presidency
        fields = [
            "id", "code", "organisation", "organisation_short", "chair_state", "period_start", "period_end",
            "slogan", "slogan_ru", "summary", "summary_ru",
        ]


#: Activities per status: one count field per status, so the schema names every status.
RollupCountsSerializer = type("RollupCountsSerializer", (serializers.Serializer,), {
    "__doc__": "Activities per status.",
    "__module__": __name__,
    **{status: serializers.IntegerField(min_value=0) for status in Status.values},
})


class RollupSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0, help_text=_("All activities, cancelled included."))
    counts = RollupCountsSerializer()
    overdue = serializers.IntegerField(min_value=0, help_text=_("Past their due date and not done or cancelled."))
    percent_done = serializers.IntegerField(
        min_value=0, max_value=100, help_text=_("Done activities as a share of those not cancelled, rounded down.")
    )
    mean_progress = serializers.IntegerField(
        min_value=0, max_value=100, help_text=_("Mean progress of the activities not cancelled, rounded down.")
    )


class PresidencyDetailSerializer(PresidencySerializer):
    rollup = serializers.SerializerMethodField()

    class Meta(PresidencySerializer.Meta):
        fields = [*PresidencySerializer.Meta.fields, "rollup"]

    @extend_schema_field(RollupSerializer)
    def get_rollup(self, presidency: Presidency) -> dict:
        return self.context["rollup"].as_dict()


class PrioritySerializer(serializers.ModelSerializer):
    rollup = serializers.SerializerMethodField(help_text=_("Progress figures of the priority's activities."))
    number = serializers.IntegerField(read_only=True, min_value=1, max_value=4)
    order = serializers.IntegerField(read_only=True)

    class Meta:
        model = Priority
        fields = ["id", "presidency", "number", "title", "title_ru", "summary", "summary_ru", "source_quote",
                  "order", "rollup"]

    @extend_schema_field(RollupSerializer)
    def get_rollup(self, priority: Priority) -> dict:
        from tracker.selectors import Rollup

        return self.context["rollups"].get(priority.pk, Rollup()).as_dict()


# --- Activities ------------------------------------------------------------------------------------------

def _date_basis_read_field() -> serializers.ChoiceField:
    # Declared so the schema admits the empty value: dates nobody has given a basis for.
    return serializers.ChoiceField(
        choices=DateBasis.choices, allow_blank=True, read_only=True,
        help_text=_("Whether the source states the date, it is a planning assumption, or staff decided it."),
    )


class ActivitySerializer(serializers.ModelSerializer):
    """An activity as the API shows it. `version` is also sent as the ETag header."""

    date_basis = _date_basis_read_field()

    presidency = serializers.IntegerField(source="priority.presidency_id", read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("Past its due date and not done or cancelled."))
    days_left = serializers.SerializerMethodField(help_text=_("Days to the due date; negative once it passed."))
    allowed_transitions = serializers.SerializerMethodField(
        help_text=_("The statuses this activity may move to now.")
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

    def _today(self):
        if "today" not in self.context:
            self.context["today"] = clock.today()
        return self.context["today"]

    def to_representation(self, activity: Activity) -> dict[str, Any]:
        """The same fields as the declared ones, built directly: a page of 100 activities is the API's
        hottest path, and DRF's per-field machinery cost half of its time (docs/performance.md).
        tests/api/test_activities_read.py checks that this equals the generic representation."""
        states = [state.pk for state in activity.participating_states.all()]
        return represent_row(activity.__dict__, activity.priority.presidency_id, states, self._today())

    def generic_representation(self, activity: Activity) -> dict[str, Any]:
        """DRF's own field-by-field representation, which to_representation must equal (tests)."""
        return super().to_representation(activity)


_DATETIME = serializers.DateTimeField()

def represent_row(row: Mapping[str, Any], presidency_id: int, states: list[int], today: Any) -> dict[str, Any]:
    """An activity's representation from its stored columns, its presidency and its participating states'
    ids (in MemberState's order): the one definition behind ActivitySerializer and the list. Its keys are
    shape.API_FIELDS, spelt out because this is the API's hottest path (a test checks they agree)."""
    status, due_date = row["status"], row["due_date"]
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
        "participating_states": states,
        "location": row["location"],
        "external_source": row["external_source"],
        "external_id": row["external_id"],
        "version": row["version"],
        "created_at": _DATETIME.to_representation(row["created_at"]),
        "updated_at": _DATETIME.to_representation(row["updated_at"]),
        "overdue": workflow.is_overdue(status=status, due_date=due_date, today=today),
        "days_left": workflow.days_left(due_date=due_date, today=today),
        "allowed_transitions": workflow.allowed_targets(status),
        "source_quote": row["source_quote"],
        "date_basis": row["date_basis"],
        "date_basis_note": row["date_basis_note"],
        "date_basis_note_ru": row["date_basis_note_ru"],
        "date_confirmed_by": row["date_confirmed_by"],
        "date_confirmed_at": _DATETIME.to_representation(row["date_confirmed_at"]),
    }


def _iso_date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


_ACTIVITY_READ_ONLY = {name: _READ_ONLY for name in ActivitySerializer.Meta.fields} | {"version": _VERSION_HINT}


class ActivityWriteSerializer(StrictInputMixin, StrictModelSerializer):
    """The fields a client may set on an activity. Status changes here follow the workflow too."""

    read_only_hints = _ACTIVITY_READ_ONLY

    description = StrictCharField(required=False, allow_blank=True, max_length=MAX_TEXT_LENGTH)
    description_ru = StrictCharField(required=False, allow_blank=True, max_length=MAX_TEXT_LENGTH)
    note = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH, write_only=True,
        help_text=_("Why the change was made; kept in the progress log."),
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


class BulkItemSerializer(ActivityWriteSerializer):
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


# --- Milestones ------------------------------------------------------------------------------------------

class MilestoneSerializer(StrictInputMixin, StrictModelSerializer):
    read_only_hints = {
        name: _READ_ONLY for name in ("id", "activity", "done_at", "date_basis", "date_basis_note",
                                      "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at")
    }
    # Bounds written out: the column's range differs between SQLite and PostgreSQL, the API's does not.
    order = StrictIntegerField(min_value=0, max_value=32767, required=False,
                               help_text=_("Position in the checklist; the next free one when left out."))
    date_basis = _date_basis_read_field()

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


# --- Webhooks --------------------------------------------------------------------------------------------

class WebhookSubscriptionSerializer(StrictInputMixin, StrictModelSerializer):
    read_only_hints = {
        "id": _READ_ONLY, "created_at": _READ_ONLY, "disabled_reason": _READ_ONLY,
        "secret": _("The secret is generated by the tracker and shown once, when the subscription is created."),
    }
    events = serializers.ListField(
        child=StrictChoiceField(choices=EVENT_TYPES), required=False, max_length=len(EVENT_TYPES),
        help_text=_("Event types to send; empty means all."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "active", "disabled_reason", "created_at"]
        read_only_fields = ["id", "disabled_reason", "created_at"]

    def validate_url(self, value: str) -> str:
        # The webhooks' own rule (http(s), no private addresses in production), so that a bad URL is
        # reported together with the other fields' errors.
        from django.core.exceptions import ValidationError as DjangoValidationError

        from tracker.webhook_urls import validate_target_url

        try:
            validate_target_url(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The answer to a create: the only time the signing secret is shown."""

    secret = serializers.CharField(read_only=True, help_text=_("Shared signing secret; shown only now."))

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSubscriptionSerializer.Meta.read_only_fields, "secret"]
