"""Pages and content negotiation for the API."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class ApiPagination(PageNumberPagination):
    """`?page=N&page_size=M`: M defaults to API_PAGE_SIZE and is capped at API_MAX_PAGE_SIZE.

    The order is always total (the FilterSet breaks ties by id), so walking the pages never skips or
    repeats a row that did not change meanwhile.
    """

    page_size_query_param = "page_size"

    @property
    def page_size(self) -> int:  # read at request time, so settings can be overridden in tests
        return settings.API_PAGE_SIZE

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError({"page_size": [_("A whole number of at least 1.")]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = _(
                    "Results per page: %(default)s by default, at most %(max)s (larger values are capped)."
                ) % {"default": settings.API_PAGE_SIZE, "max": settings.API_MAX_PAGE_SIZE}
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class JsonOnlyNegotiation(DefaultContentNegotiation):
    """An Accept header (or ?format=) the view cannot satisfy gets the view's first renderer (JSON for the
    API) instead of a 406 or a 404: the API never refuses to answer, and never answers in HTML."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (exceptions.NotAcceptable, Http404):
            renderer = renderers[0]
            return renderer, renderer.media_type
