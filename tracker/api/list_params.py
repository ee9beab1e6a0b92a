"""The API's activity list read without building the FilterSet's form on every request (issue 18).

Building the FilterSet (its form, a query to check that the named priorities exist, the queryset) and the
ORM's compile cost more than PostgreSQL took to answer a page (docs/performance.md). Here:

- each parameter is read by **the FilterSet's own form field** (its widget and `clean()`), so a value means
  what it means on the board; only the ids of related rows are checked against a per-process set of known
  ids (`KnownIds`) instead of a query;
- the statement is built by **the FilterSet's own filters** once per *shape* (which filters, how many values
  each, the order, the page size, a cursor or not, today) with marker values standing for the request's,
  compiled, and run again with the request's values bound as parameters (`ShapeStatements`).

Whatever this module is not sure of (a value the form would refuse, an id it does not know, a search,
`owner=me`, a page number or a count) returns None, and the view takes the FilterSet path, which answers
as before, a 400 naming the field included. So each filter rule is stated once, in tracker/filters.py.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, models, router
from django.db.models.signals import post_delete
from django.http import QueryDict

from tracker import clock, selectors
from tracker.api import keyset
from tracker.filters import ActivityFilter, ordered_totally
from tracker.models import Activity
from tracker.selectors.arrays import row_dicts
from tracker.selectors.cursors import row_cursor

# --- Known ids ------------------------------------------------------------------------------------------


class KnownIds:
    """The ids of a model's rows, read once and kept for `API_ID_CACHE_SECONDS`: a filter's check that the ids
    it names exist, without a query per request. An id not in the set reads the set again (a row added in
    another process is known at once); a row deleted in another process is still "known" until the time is
    up (its filter then answers an empty page, and a 400 after). This process forgets at once on delete."""

    def __init__(self, queryset: models.QuerySet) -> None:
        self.queryset = queryset
        self._ids: dict[str, tuple[float, frozenset[int]]] = {}

    def has_all(self, ids: set[int], using: str, now: float) -> bool:
        seconds = settings.API_ID_CACHE_SECONDS
        found = self._ids.get(using)
        if found is not None and now - found[0] < seconds and ids <= found[1]:
            return True
        known = frozenset(self.queryset.using(using).values_list("pk", flat=True))
        if seconds > 0:
            self._ids[using] = (now, known)
        return ids <= known

    def forget(self, **_kwargs: Any) -> None:
        self._ids.clear()


_KNOWN: dict[str, KnownIds] = {}
_clock = time.monotonic  # a seam for tests


def _known(flt: django_filters.Filter) -> KnownIds:
    model = flt.queryset.model
    found = _KNOWN.get(model._meta.label)
    if found is None:
        found = _KNOWN[model._meta.label] = KnownIds(flt.queryset)
        post_delete.connect(found.forget, sender=model, dispatch_uid=f"api-known-ids-{model._meta.label}")
    return found


# --- Reading the parameters -----------------------------------------------------------------------------

_CANONICAL_ID = re.compile(r"(0|[1-9][0-9]{0,17})\Z")  # as str(int) writes it, within the database's range
_FILTERS: dict[str, django_filters.Filter] = ActivityFilter.base_filters


class _Unsure(Exception):
    """Leave this request to the FilterSet."""


def _ids(raw: list[str]) -> list[int]:
    # The model field accepts an id only as str(pk) writes it (tracker/filters.py _IdsField); anything else is
    # left to it, for its message.
    if not all(_CANONICAL_ID.match(value) for value in raw):
        raise _Unsure
    return sorted({int(value) for value in raw})


def _read(params: QueryDict, using: str, now: float) -> tuple[list[tuple], list[Any]]:
    """The request's filters as a shape (hashable) and the values that shape binds, in slot order."""
    shape: list[tuple] = []
    values: list[Any] = []
    for name, flt in _FILTERS.items():
        raw = params.getlist(name)
        if not raw:
            continue
        if "" in raw:
            raise _Unsure  # refused by the filter backend (tracker/api/pagination.py StrictFilterBackend)
        if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
            ids = _ids(raw)
            if not _known(flt).has_all(set(ids), using, now):
                raise _Unsure
            shape.append((name, len(ids)))
            values += ids
            continue
        if isinstance(flt, django_filters.ModelChoiceFilter):
            value = raw[-1]  # its widget reads the last value, as QueryDict.get does
            if not _CANONICAL_ID.match(value):
                if value != "current":
                    raise _Unsure
                chosen = flt.field.clean(value)  # the filter's own rule for "current"
                if chosen is None:
                    continue  # no presidency at all: the filter does nothing
                value = str(chosen.pk)
            if not _known(flt).has_all({int(value)}, using, now):
                raise _Unsure
            shape.append((name, 1))
            values.append(int(value))
            continue
        try:
            cleaned = flt.field.clean(flt.field.widget.value_from_datadict(params, {}, name))
        except ValidationError:
            raise _Unsure from None
        if cleaned in django_filters.constants.EMPTY_VALUES:
            continue
        if name == "owner":
            if cleaned == "me" or (cleaned.isdigit() and not cleaned.isascii()):
                raise _Unsure  # a user's own "me" (a key is nobody's); digits the filter cannot read
            as_id = cleaned.isdigit() and int(cleaned) < 2**63
            shape.append((name, "id" if as_id else "name"))
            values.append(int(cleaned) if as_id else cleaned)
        elif isinstance(cleaned, bool) or name == "ordering":
            shape.append((name, tuple(cleaned) if isinstance(cleaned, list) else cleaned))  # changes the SQL
        elif isinstance(flt, django_filters.MultipleChoiceFilter):
            distinct = sorted(set(cleaned))  # the filter ORs each distinct value once
            shape.append((name, len(distinct)))
            values += distinct
        elif isinstance(cleaned, dt.date | str) and flt.method is None:
            shape.append((name, 1))
            values.append(cleaned)
        else:
            raise _Unsure  # a search, or a filter added later that this module does not know yet
    return shape, values


# --- Statements by shape --------------------------------------------------------------------------------

# Markers stand for the request's values while a shape is compiled; compiled twice, with two sets of them,
# whatever differs between the two is a value's place. Small ints: Django leaves out a comparison with an
# int beyond its column's range (a smallint on PostgreSQL), so a marker must fit every column.
_MARKER_INT = 32_000
_MARKER_DAY = dt.date(1001, 1, 1)
_MAX_VALUES = 1_000  # more values than this in one request: the FilterSet path


def _marker(kind: type, index: int) -> Any:
    if kind is int:
        return _MARKER_INT - index
    if kind is str:
        return f"~marker-{index}~"  # not digits: the owner filter reads it as a username
    if kind is dt.datetime:
        return dt.datetime(1001, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=index)
    return _MARKER_DAY + dt.timedelta(days=index)


def _kind(value: Any) -> type:
    for kind in (bool, int, dt.datetime, dt.date, str):  # datetime before date: it is one
        if isinstance(value, kind):
            if kind is bool:
                break
            return kind
    raise _Unsure


def _adapter(kind: type, using: str) -> Callable[[Any], Any]:
    """How a value of this kind is written among the compiled parameters (as the model field would)."""
    ops = connections[using].ops
    if kind is dt.datetime:
        return ops.adapt_datetimefield_value
    if kind is dt.date:
        return ops.adapt_datefield_value
    return lambda value: value


def _field_kind(path: str) -> type:
    field = keyset._field(Activity, path)
    if isinstance(field, models.DateTimeField):
        return dt.datetime
    if isinstance(field, models.DateField):
        return dt.date
    if isinstance(field, models.IntegerField | models.AutoField):
        return int
    if isinstance(field, models.CharField | models.TextField):
        return str
    raise _Unsure


class _Statement:
    """A compiled page statement of one shape, and where each of the request's values goes in it."""

    def __init__(self, compiler: Any, sql: str, params: tuple, slots: list[tuple[int, int]],
                 adapters: list[Callable[[Any], Any]], order: keyset.Order) -> None:
        self.compiler, self.sql, self.params, self.slots, self.adapters = compiler, sql, params, slots, adapters
        self.order = order
        query = compiler.query
        self.converters = compiler.get_converters([column[0] for column in compiler.select])
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def bind(self, values: list[Any]) -> list[Any]:
        bound = list(self.params)
        for position, slot in self.slots:
            bound[position] = self.adapters[slot](values[slot])
        return bound

    def rows(self, bound: list[Any], using: str) -> list[dict[str, Any]]:
        with row_cursor(using) as cursor:
            cursor.execute(self.sql, bound)
            fetched = cursor.fetchall()
        if self.converters:
            fetched = self.compiler.apply_converters(fetched, self.converters)
        return row_dicts(self.names, fetched)


def _filter_markers(shape: list[tuple], kinds: list[type], offset: int) -> dict[str, Any]:
    """The cleaned data the FilterSet's filters get for this shape, with markers in place of the values."""
    cleaned: dict[str, Any] = {}
    slot = 0
    for name, variant in shape:
        if name == "owner":
            # The filter reads digits as a user id, anything else as a username.
            cleaned[name] = str(_marker(kinds[slot], slot + offset))
            slot += 1
        elif not isinstance(variant, int) or isinstance(variant, bool):
            cleaned[name] = list(variant) if isinstance(variant, tuple) else variant
        else:
            batch = [_marker(kinds[slot + i], slot + i + offset) for i in range(variant)]
            slot += variant
            cleaned[name] = batch if isinstance(_FILTERS[name], django_filters.MultipleChoiceFilter) else batch[0]
    return cleaned


def _compile(shape: list[tuple], kinds: list[type], offset: int, size: int, cursor: bool, using: str,
             request: Any) -> tuple[Any, str, list, keyset.Order, list[Any]] | None:
    """The page statement of this shape built by the FilterSet's own filters, with markers from `offset`."""
    filterset = ActivityFilter(data=QueryDict(), queryset=Activity.objects.all(), request=request)
    cleaned = _filter_markers(shape, kinds, offset)
    filterset.form.cleaned_data = {name: cleaned.get(name) for name in filterset.filters}
    rows = selectors.activity_rows_with_states(ordered_totally(filterset.filter_queryset(Activity.objects.all())),
                                               paired=True)
    order = keyset.order_of(rows)
    if order is None:
        return None  # pages by number: the FilterSet path
    markers = [_marker(kind, index + offset) for index, kind in enumerate(kinds)]
    if cursor:
        after = [_marker(_field_kind(path), len(kinds) + i + offset) for i, (path, _d) in enumerate(order)]
        markers += after
        rows = keyset.after(rows, order, after)
    compiler = rows.using(using)[: size + 1].query.get_compiler(using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return compiler, sql, list(params), order, markers


def _build(shape: list[tuple], values: list[Any], size: int, cursor: bool, using: str,
           request: Any) -> _Statement | None:
    kinds = [_kind(value) for value in values]
    one = _compile(shape, kinds, 0, size, cursor, using, request)
    if one is None:
        return None
    compiler, sql, params, order, markers = one
    if cursor:
        kinds += [_field_kind(path) for path, _d in order]
    other = _compile(shape, kinds[: len(values)], len(kinds), size, cursor, using, request)
    if other is None or other[1] != sql or len(other[2]) != len(params):
        return None
    adapters = [_adapter(kind, using) for kind in kinds]
    first = {adapters[i](marker): i for i, marker in enumerate(markers)}
    second = {adapters[i](marker): i for i, marker in enumerate(other[4])}
    slots = []
    for position, (a, b) in enumerate(zip(params, other[2], strict=True)):
        if a == b:
            continue  # a constant of the statement
        try:
            slot = first.get(a)
        except TypeError:
            return None
        # (A filter of several values may put them in another order in each compile: their OR does not care.)
        if slot is None or second.get(b) is None:
            return None  # a difference that is not one of ours: this shape stays with the FilterSet
        slots.append((position, slot))
    if {slot for _p, slot in slots} != set(range(len(markers))):
        return None  # a value that did not become a parameter: this shape stays with the FilterSet
    return _Statement(compiler, sql, tuple(params), slots, adapters, order)


class ShapeStatements:
    """Compiled page statements by shape, per database; a bound on their number, not a policy."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._statements: dict[tuple, _Statement | None] = {}

    def get(self, key: tuple, build: Callable[[], _Statement | None]) -> _Statement | None:
        if key not in self._statements:
            if len(self._statements) >= self.size:
                self._statements.clear()
            self._statements[key] = build()
        return self._statements[key]

    def clear(self) -> None:
        self._statements.clear()


STATEMENTS = ShapeStatements()


def page_rows(request: Any, paginator: Any,
              keep: Callable[..., None] | None = None) -> tuple[list[dict[str, Any]], keyset.Order] | None:
    """A first or cursor page's rows (page size + 1) and the list's order, or None: leave it to the FilterSet.
    `keep(compiler, sql, params, converters, names, order)` is given a first page's bound statement."""
    params = request.query_params
    if paginator.page_query_param in params or paginator.count_query_param in params:
        return None  # a page number or a count: the paginator's full path
    using = router.db_for_read(Activity)
    try:
        shape, values = _read(params, using, _clock())
        if len(values) > _MAX_VALUES:
            return None
        token = params.get(paginator.cursor_query_param)
        size = paginator.get_page_size(request)  # refuses a bad page_size itself, as the FilterSet path does
        statement = STATEMENTS.get(
            (using, clock.today(), tuple(shape), size, token is not None),
            lambda: _build(shape, values, size, token is not None, using, request),
        )
        if statement is None:
            return None
        if token is not None:
            values = values + _cursor_values(statement.order, token, using)
    except _Unsure:
        return None
    bound = statement.bind(values)
    rows = statement.rows(bound, using)
    if keep is not None and token is None:  # only a statement that ran
        keep(statement.compiler, statement.sql, bound, statement.converters, statement.names, statement.order)
    return rows, statement.order


def _cursor_values(order: keyset.Order, token: str, using: str) -> list[Any]:
    try:
        decoded = keyset.decode(order, token)
    except Exception:
        raise _Unsure from None  # the FilterSet path refuses it with its message
    values = []
    for (path, _descending), raw in zip(order, decoded, strict=True):
        kind = _field_kind(path)
        try:
            value = keyset._field(Activity, path).to_python(raw)
        except (ValidationError, ValueError, TypeError):
            raise _Unsure from None
        if not isinstance(value, kind) or (kind is dt.date and isinstance(value, dt.datetime)):
            raise _Unsure
        if kind is dt.datetime and value.tzinfo is None:
            raise _Unsure
        if kind is int:
            field = keyset._field(Activity, path)
            low, high = connections[using].ops.integer_field_range(field.get_internal_type())
            if not (low is None or low <= value) or not (high is None or value <= high):
                raise _Unsure  # Django leaves such a comparison out of the statement: its path decides
        values.append(value)
    return values
