"""Top-level URLs: the admin, the health check and the tracker's doors."""

from django.contrib import admin
from django.urls import include, path

from tracker import health
from tracker.web.views.language import set_language

# A database outage anywhere in a request answers 503 with Retry-After (tracker/outage.py); other errors 500.
handler500 = "tracker.outage.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/", health.liveness, name="health"),
    path("health/ready/", health.readiness, name="health-ready"),
    # Remembers a signed-in person's choice for their emails and calendar feed too.
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("tracker.api.urls")),
    # The staff web board (dashboard, board, timeline, calendar, activities, reports) at the root.
    path("", include("tracker.web.urls")),
]
