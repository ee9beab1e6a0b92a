"""URLs of the API: /api/v1/… (the resources), /api/schema/ (OpenAPI 3), /api/docs/ and /api/redoc/."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tracker.api import commitments, delivery, documents, people, schedule, views
from tracker.api.middleware import api_not_found
from tracker.api.schema_view import SchemaView

router = SimpleRouter(use_regex_path=False)
router.register("presidencies", views.PresidencyViewSet, basename="presidency")
router.register("priorities", views.PriorityViewSet, basename="priority")
router.register("member-states", views.MemberStateViewSet, basename="member-state")
router.register("bodies", views.BodyViewSet, basename="body")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("activities/<int:activity_pk>/milestones", views.MilestoneViewSet, basename="milestone")
router.register("activities/<int:activity_pk>/documents", documents.ActivityDocumentViewSet,
                basename="activity-document")
router.register("activities/<int:activity_pk>/comments", people.CommentViewSet, basename="comment")
router.register("webhooks", views.WebhookSubscriptionViewSet, basename="webhook")
router.register("assessments", delivery.AssessmentViewSet, basename="assessment")
router.register("risks", delivery.RaidEntryViewSet, basename="risk")
router.register("stocktakes", delivery.StocktakeViewSet, basename="stocktake")
router.register("commitments", commitments.CommitmentViewSet, basename="commitment")
router.register("participations", commitments.ParticipationViewSet, basename="participation")
router.register("dependencies", schedule.DependencyViewSet, basename="dependency")
router.register("baselines", schedule.BaselineViewSet, basename="baseline")
router.register("forecasts", schedule.ForecastViewSet, basename="forecast")

app_name = "api"

_docs_csp = csp_update({"style-src": ["'self'", "'unsafe-inline'"]})

urlpatterns = [
    path("v1/events/", views.EventFeedView.as_view(), name="event-list"),
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The viewers' scripts are our own static files (no inline script); their styles are set at run time.
    path("docs/", _docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", _docs_csp(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    # Whatever matched nothing above: a problem-details 404, never the HTML page.
    re_path(r"^.*$", api_not_found, name="api-not-found"),
]
