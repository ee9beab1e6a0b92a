"""The floors: the least work that answers the same request, behind the same gunicorn and middleware,
without authentication, throttling or DRF.

- The floor (issue 18): ONE hand-written SQL statement per request (the activity's columns, its presidency,
  and its participating states' ids as an array subquery), a raw cursor, orjson, no count.
- The old floor (kept as a second line): the API's own statements of the first pass, taken from the same
  selector and FilterSet (the page's rows, their states in a second query, and the list's count).

The ratio to the floor is what the framework and our own code cost on top of the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import orjson
from django.db import connection
from django.http import HttpRequest, HttpResponse

from tracker import shape
from tracker.filters import ActivityFilter
from tracker.models import Activity, Priority
from tracker.selectors import activity_records

_ACTIVITY = Activity._meta.db_table
_THROUGH = Activity.participating_states.through._meta.db_table
_COLUMNS = ", ".join(f'a."{column}"' for column in shape.STORED_COLUMNS)
_ONE_STATEMENT = (
    f'SELECT {_COLUMNS}, p."presidency_id", '
    f'ARRAY(SELECT t."memberstate_id" FROM "{_THROUGH}" t WHERE t."activity_id" = a."id") AS participating_states '
    f'FROM "{_ACTIVITY}" a JOIN "{Priority._meta.db_table}" p ON p."id" = a."priority_id" '
)

_STATES_SQL = (
    f'SELECT "activity_id", "memberstate_id" FROM "{Activity.participating_states.through._meta.db_table}" '
    'WHERE "activity_id" = ANY(%s)'
)


def _rows(sql: str, params: tuple) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _with_states(rows: list[dict]) -> list[dict]:
    states: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_STATES_SQL, ([row["id"] for row in rows],))
        for activity_id, state_id in cursor.fetchall():
            states.setdefault(activity_id, []).append(state_id)
    for row in rows:
        row["participating_states"] = states.get(row["id"], [])
    return rows


def _one_statement(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(_ONE_STATEMENT + sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def activity_list_one_statement(request: HttpRequest) -> HttpResponse:
    """The benchmark's list (?priority=&status=&ordering=due_date&page_size=, and due_before=) as one
    statement, no count."""
    page_size = min(int(request.GET.get("page_size", 100)), 100)
    where, params = [], []
    for name, column, cast in (("priority", "priority_id", int), ("status", "status", str)):
        values = [cast(v) for v in request.GET.getlist(name)]
        if values:
            # IN (...), not = ANY(array): PostgreSQL reads one value as an equality and walks the
            # (priority, due_date, id) index in order; an array made it walk the due-date index at 100,000.
            where.append(f'a."{column}" IN ({", ".join(["%s"] * len(values))})')
            params += values
    if request.GET.get("due_before"):  # the list's "built afresh" line sends a new one each request
        where.append('a."due_date" <= %s')
        params.append(dt.date.fromisoformat(request.GET["due_before"]))
    sql = (f"WHERE {' AND '.join(where)} " if where else "") + 'ORDER BY a."due_date", a."id" LIMIT %s'
    rows = _one_statement(sql, [*params, page_size])
    return HttpResponse(orjson.dumps({"count": None, "next": None, "previous": None, "results": rows}),
                        content_type="application/json")


def activity_detail_one_statement(request: HttpRequest, pk: int) -> HttpResponse:
    rows = _one_statement('WHERE a."id" = %s', [pk])
    if not rows:
        return HttpResponse(status=404)
    return HttpResponse(orjson.dumps(rows[0]), content_type="application/json")


def activity_list_floor(request: HttpRequest) -> HttpResponse:
    page_size = min(int(request.GET.get("page_size", 100)), 100)
    filtered = ActivityFilter(request.GET, queryset=activity_records()).qs
    count_sql, count_params = filtered.order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({count_sql}) AS page", count_params)
        count = cursor.fetchone()[0]
    sql, params = filtered[:page_size].query.sql_with_params()
    body = {"count": count, "results": _with_states(_rows(sql, params))}
    return HttpResponse(orjson.dumps(body, default=str), content_type="application/json")


def activity_detail_floor(request: HttpRequest, pk: int) -> HttpResponse:
    sql, params = activity_records().filter(pk=pk).query.sql_with_params()
    rows = _rows(sql, params)
    if not rows:
        return HttpResponse(status=404)
    return HttpResponse(orjson.dumps(_with_states(rows)[0], default=str), content_type="application/json")


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
