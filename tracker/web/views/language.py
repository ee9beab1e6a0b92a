"""The language switcher: Django's set_language, and for a signed-in person also their saved language,
which their emails (digests, reminders) and calendar feed use."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from tracker.models import StaffProfile


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        StaffProfile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response
