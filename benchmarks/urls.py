from django.urls import include, path

from benchmarks import floor

urlpatterns = [
    path("floor/activities/", floor.activity_list_one_statement),
    path("floor/activities/<int:pk>/", floor.activity_detail_one_statement),
    path("floor-old/activities/", floor.activity_list_floor),
    path("floor-old/activities/<int:pk>/", floor.activity_detail_floor),
    path("", include("presidency.urls")),
]
