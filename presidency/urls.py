"""Top-level URLs: the admin, the health check and the tracker's doors."""

from django.contrib import admin
from django.urls import include, path

from tracker import health

# A database outage anywhere in a request answers 503 with Retry-After (tracker/outage.py); other errors 500.
handler500 = "tracker.outage.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/", health.liveness, name="health"),
    path("health/ready/", health.readiness, name="health-ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("tracker.api.urls")),
    # The staff web board (dashboard, board, timeline, calendar, activities, reports) at the root.
    path("", include("tracker.web.urls")),
]
