"""The floor: the least work that answers the same request — the API's own SQL on a raw cursor, the rows
serialised with orjson. Served by the same gunicorn, so the ratio to it isolates the framework's cost."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from django.db import connection
from django.http import HttpRequest, HttpResponse

from tracker.filters import ActivityFilter
from tracker.selectors import activity_list


def _rows(sql: str, params: tuple) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def activity_list_floor(request: HttpRequest) -> HttpResponse:
    page_size = min(int(request.GET.get("page_size", 100)), 100)
    queryset = ActivityFilter(request.GET, queryset=activity_list()).qs[:page_size]
    sql, params = queryset.query.sql_with_params()
    return HttpResponse(orjson.dumps({"results": _rows(sql, params)}, default=str), content_type="application/json")


def activity_detail_floor(request: HttpRequest, pk: int) -> HttpResponse:
    sql, params = activity_list().filter(pk=pk).query.sql_with_params()
    rows = _rows(sql, params)
    if not rows:
        return HttpResponse(status=404)
    return HttpResponse(orjson.dumps(rows[0], default=str), content_type="application/json")


class QueryCountMiddleware:
    """Adds X-Queries: the number of SQL statements the request ran."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
