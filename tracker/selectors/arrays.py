"""One column of related ids carried in its row's own statement: PostgreSQL's ARRAY(subquery), or SQLite's
json_group_array over the same subquery. Reads that used a second query (or a join that repeated the row)
for a list of ids get it in the same round trip (docs/performance.md)."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import JSONField, QuerySet, Subquery


class _JsonArraySubquery(Subquery):
    """SQLite's stand-in for ARRAY(subquery): the subquery's one column as a JSON array, in the subquery's
    order (SQLite aggregates a FROM-subquery's rows in the order it gives them)."""

    template = "(SELECT COALESCE(json_group_array(_v.\"%(column)s\"), '[]') FROM (%(subquery)s) _v)"
    output_field = JSONField()


def id_array(inner: QuerySet, column: str, using: str) -> Subquery:
    """`inner` (a correlated `.values(column)` queryset, ordered as the ids should be) as a list column."""
    if connections[using].vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        return ArraySubquery(inner)
    return _JsonArraySubquery(inner, column=column)


class CompiledRows:
    """A `.values()` read whose SQL is compiled once per database and run again with new parameters.

    For the API's retrieve, building and compiling the ORM statement cost twice what PostgreSQL took to
    answer it (docs/performance.md). `build(marker)` returns the queryset with `marker` standing for the one
    parameter that changes; rows come back as `.values()` would give them (the same converters run)."""

    MARKER = -7_301_205_919  # an id no row has; found again among the compiled parameters

    def __init__(self, build: Any) -> None:
        self._build = build
        self._compiled: dict[str, tuple[Any, str, tuple, int, list, list[str]]] = {}

    def _compile(self, using: str) -> tuple[Any, str, tuple, int, list, list[str]]:
        found = self._compiled.get(using)
        if found is None:
            queryset = self._build(self.MARKER).using(using)
            query = queryset.query
            compiler = query.get_compiler(using)
            sql, params = compiler.as_sql()
            position = list(params).index(self.MARKER)
            converters = compiler.get_converters([column[0] for column in compiler.select])
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            found = self._compiled[using] = (compiler, sql, tuple(params), position, converters, names)
        return found

    def rows(self, value: Any, using: str) -> list[dict[str, Any]]:
        compiler, sql, params, position, converters, names = self._compile(using)
        bound = list(params)
        bound[position] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        return [dict(zip(names, row, strict=True)) for row in fetched]
