"""One column of related ids carried in its row's own statement: PostgreSQL's ARRAY(subquery), or SQLite's
json_group_array over the same subquery. Reads that used a second query (or a join that repeated the row)
for a list of ids get it in the same round trip (docs/performance.md). Ids and codes of the same related
rows come as one column of pairs (one subquery, one join and sort), split into two lists when read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, JSONField, QuerySet, Subquery, TextField
from django.db.models.functions import Cast

from tracker.selectors.cursors import row_cursor


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


class _JsonPairsSubquery(Subquery):
    """SQLite's stand-in for an ARRAY of pairs: [[first, second], ...] as JSON, in the subquery's order."""

    template = ("(SELECT COALESCE(json_group_array(json_array(_v.\"%(first)s\", _v.\"%(second)s\")), '[]') "
                "FROM (%(subquery)s) _v)")
    output_field = JSONField()


def pair_array(inner: QuerySet, first: str, second: str, using: str) -> Subquery:
    """`inner` (a correlated queryset ordered as the pairs should be) as one list column of [first, second]
    pairs: the ids and codes of the same rows from one subquery, where two id_array columns ran its join and
    sort twice (a third of the API list's statement, docs/performance.md). Read them with `row_dicts`."""
    if connections[using].vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery
        from django.contrib.postgres.fields import ArrayField

        pair = Func(Cast(F(first), TextField()), F(second), function="ARRAY", template="ARRAY[%(expressions)s]",
                    output_field=ArrayField(TextField()))
        return ArraySubquery(inner.values(pair=pair))  # a two-dimensional text array
    return _JsonPairsSubquery(inner.values(first, second), first=first, second=second)


#: Pair columns (`pair_array`) and the two lists each becomes when read: {column: (ids, codes)}.
SPLIT_PAIRS: dict[str, tuple[str, str]] = {}


def row_dicts(names: list[str], fetched: list[tuple]) -> list[dict[str, Any]]:
    """Fetched rows as `.values()` dicts, each pair column (SPLIT_PAIRS) split into its list of ids (ints)
    and its list of codes."""
    rows = [dict(zip(names, row, strict=True)) for row in fetched]
    for name in names:
        if name in SPLIT_PAIRS:
            ids, codes = SPLIT_PAIRS[name]
            for row in rows:
                pairs = row.pop(name)
                row[ids] = [int(pair[0]) for pair in pairs]
                row[codes] = [pair[1] for pair in pairs]
    return rows


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
        with row_cursor(using, prepare=True) as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        return row_dicts(names, fetched)


class StatementCache:
    """Compiled `.values()` statements by a caller's key, each reused for `seconds`: a request repeated with
    the same parameters (an integrator polling its first page) skips building and compiling its query.

    Only statements that ran successfully are stored, so a refused request is never served from here; the
    time limit bounds how long a statement may outlive a change of what it was built from (a deleted
    priority named in a filter answers an empty page until then, and a 400 after)."""

    def __init__(self, seconds: Callable[[], float], size: int = 256) -> None:
        self.seconds, self.size = seconds, size  # read at each use, so settings can change it
        self._statements: dict[Any, tuple[float, Any, str, tuple, list, list[str], Any]] = {}

    def rows(self, key: Any, using: str, now: float) -> tuple[list[dict[str, Any]], Any] | None:
        """The rows and what was remembered with the statement, or None when there is no fresh statement."""
        found = self._statements.get((using, key))
        if found is None or now - found[0] >= self.seconds():
            return None
        _at, compiler, sql, params, converters, names, extra = found
        with row_cursor(using) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        return row_dicts(names, fetched), extra

    def remember(self, key: Any, queryset: QuerySet, now: float, extra: Any = None) -> None:
        if self.seconds() <= 0:
            return
        using = queryset.db
        query = queryset.query
        compiler = query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return  # a filter that can match nothing (`owner=me` for a key) has no statement to keep
        converters = compiler.get_converters([column[0] for column in compiler.select])
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.keep(key, using, now, compiler, sql, params, converters, names, extra)

    def keep(self, key: Any, using: str, now: float, compiler: Any, sql: str, params: Any, converters: list,
             names: list[str], extra: Any = None) -> None:
        """Remember a statement compiled elsewhere (tracker/api/list_params.py), with its parameters bound."""
        if self.seconds() <= 0:
            return
        if len(self._statements) >= self.size:
            self._statements.clear()  # a bound, not a policy
        self._statements[(using, key)] = (now, compiler, sql, tuple(params), converters, names, extra)

    def clear(self) -> None:
        self._statements.clear()
