"""Reference data and the agenda's frame: member states, bodies, presidencies with their roll-ups, priorities."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.models import (
    Body,
    MemberState,
    Presidency,
    Priority,
)
from tracker.workflow import Status

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
            "id", "code", "organisation", "organisation_short", "organisation_short_ru", "chair_state", "period_start",
            "period_end", "slogan", "slogan_ru", "summary", "summary_ru",
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
