"""Viewsets of an activity's own records, under /api/v1/activities/{activity_pk}/ (milestones, documents,
comments): the activity is read once per request, and one that does not exist answers 404."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from tracker.models import Activity


class UnderActivity:
    kwargs: dict[str, Any]

    def _activity(self) -> Activity:
        if not hasattr(self, "_activity_cache"):
            self._activity_cache = get_object_or_404(Activity.objects.all(), pk=self.kwargs["activity_pk"])
        return self._activity_cache
