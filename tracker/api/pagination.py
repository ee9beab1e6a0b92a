"""How the API pages, filters, negotiates and describes itself: the DRF plumbing settings.py points at."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.metadata import BaseMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tracker import clock
from tracker.api import keyset
from tracker.validators import plain_digits


class ApiPagination(PageNumberPagination):
    """`?page=N&page_size=M`: M defaults to API_PAGE_SIZE and is capped at API_MAX_PAGE_SIZE.

    The order is always total (the FilterSet breaks ties by id), so walking the pages never skips or
    repeats a row that did not change meanwhile. `next` links are keyset cursors (`?cursor=...`, see
    tracker/api/keyset.py) wherever the order allows: the next page starts after the last row seen, so a
    deep page costs what the first one does, and rows written meanwhile shift nothing. `?page=N` still
    jumps anywhere.
    """

    page_size_query_param = "page_size"
    cursor_query_param = keyset.CURSOR_PARAM

    count_query_param = "count"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        self.request = request
        self._keyset = keyset.order_of(queryset)
        self._cursor_next: str | None = None
        self._count: int | None = None
        size = self.get_page_size(request)
        wants_count = self._wants_count(request)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None and self.page_query_param in request.query_params:
            raise exceptions.ValidationError({"cursor": [_("Send either a cursor or a page number, not both.")]})
        if self.page_query_param in request.query_params or (cursor is None and self._keyset is None):
            # Jumping to page N needs the count (a page past the end is a 404), and so does a list whose
            # order a cursor cannot follow.
            page = super().paginate_queryset(queryset, request, view)
            if page and self._keyset and self.page.has_next():
                self._cursor_next = keyset.encode(self._keyset, page[-1])
            return page
        if self._keyset is None:
            raise exceptions.ValidationError({"cursor": [_("This list does not page by cursor; use page.")]})
        # The first page and pages reached by cursor: no count unless asked for, as GitHub and Stripe do
        # (counting every match cost more than reading the page; docs/performance.md).
        rows_from = queryset
        if cursor is not None:
            rows_from = keyset.after(queryset, self._keyset, keyset.decode(self._keyset, cursor))
        if wants_count:
            self._count = queryset.count()
        rows = list(rows_from[: size + 1])
        page, more = rows[:size], len(rows) > size
        self._cursor_next = keyset.encode(self._keyset, page[-1]) if more else None
        self.page = None
        return page

    def first_page_key(self, request: Request) -> tuple | None:
        """What identifies a first page's statement (every parameter, and today for the date filters), or
        None when the request is not a plain first page (a cursor, a page number, or a count asked for)."""
        params = request.query_params
        if self.cursor_query_param in params or self.page_query_param in params or self.count_query_param in params:
            return None
        return (tuple(sorted((name, tuple(params.getlist(name))) for name in params)), clock.today())

    def first_page_statement(self, queryset: Any, request: Request) -> Any:
        """The statement this paginator ran for a first page (only valid after paginate_queryset did)."""
        return queryset[: self.get_page_size(request) + 1]

    def take_first_page(self, request: Request, rows: list, order: keyset.Order) -> list:
        """A first page (or a cursor's page) from rows read by a remembered statement (page size + 1 rows)."""
        self.request, self._keyset, self._count, self.page = request, order, None, None
        size = self.get_page_size(request)
        page = rows[:size]
        self._cursor_next = keyset.encode(order, page[-1]) if len(rows) > size else None
        return page

    def _wants_count(self, request: Request) -> bool:
        values = request.query_params.getlist(self.count_query_param)
        if not values:
            return False
        if len(values) > 1 or values[0] not in ("true", "false"):
            raise exceptions.ValidationError({self.count_query_param: [_("Either true or false.")]})
        return values[0] == "true"

    def get_paginated_response(self, data: Any) -> Response:
        return Response({
            "count": self._count if self.page is None else self.page.paginator.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["nullable"] = True  # null unless counted (?count=true or ?page=N)
        return paginated

    def get_next_link(self) -> str | None:
        if self._cursor_next is None:
            return super().get_next_link() if self.page is not None else None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self._cursor_next)

    def get_previous_link(self) -> str | None:
        return super().get_previous_link() if self.page is not None else None  # cursors only go forward

    @property
    def page_size(self) -> int:  # read at request time, so settings can be overridden in tests
        return settings.API_PAGE_SIZE

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        raw = values[-1]
        size = int(raw) if len(values) == 1 and plain_digits(raw) and len(raw) < 10 else 0
        if size < 1:
            raise exceptions.ValidationError({"page_size": [_("A whole number of at least 1.")]})
        return min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: object) -> int | str:
        values = request.query_params.getlist(self.page_query_param)
        if len(values) > 1 or (values and not (plain_digits(values[0]) and len(values[0]) < 10)
                                and values[0] not in self.last_page_strings):
            raise exceptions.ValidationError({"page": [_("A page number: a whole number from 1.")]})
        return super().get_page_number(request, paginator)

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
        parameters.append({
            "name": self.count_query_param, "required": False, "in": "query",
            "schema": {"type": "boolean"},
            "description": _("`true` to have `count` filled in on pages that do not page by number (it is "
                             "null otherwise; counting costs more than the page)."),
        })
        parameters.append({
            "name": self.cursor_query_param, "required": False, "in": "query", "schema": {"type": "string"},
            "description": _("Where the next page starts, as given in `next`. Not with `page`."),
        })
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


class StrictFilterBackend(DjangoFilterBackend):
    """The FilterSets of tracker/filters.py, refusing a filter given with an empty value.

    The web board's forms send empty fields for "no filter"; an API client that sends `?updated_since=` has
    lost a value on its way, and silently getting every row back would hide that.
    """

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = sorted(
                name for name in filterset_class.base_filters
                if "" in request.query_params.getlist(name)
            )
            if empty:
                raise exceptions.ValidationError(
                    {name: [_("Empty value: give a value, or leave the parameter out.")] for name in empty}
                )
        return super().filter_queryset(request, queryset, view)


class ApiMetadata(BaseMetadata):
    """OPTIONS: what the endpoint is and speaks. (DRF's default also describes the form fields, which needs
    the object and the write permission; the OpenAPI schema at /api/schema/ is the full description.)"""

    def determine_metadata(self, request: Request, view: Any) -> dict:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": "/api/schema/",
        }
