"""Health endpoints: liveness answers without touching any dependency."""

from django.http import HttpRequest, JsonResponse


def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
