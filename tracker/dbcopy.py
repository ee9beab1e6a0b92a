"""Many new rows in one statement: bulk_create's rows, written with PostgreSQL's COPY.

Django 5.2's bulk_create on PostgreSQL sends its rows as one array per column (INSERT ... SELECT FROM
UNNEST), and psycopg quotes those arrays in Python, value by value, with a regular expression: for the bulk
upsert's 2,000 to 2,500 log, history and outbox rows that quoting cost more than the database's work.
COPY sends the same values through psycopg's C dumpers. The rows are the ones bulk_create would write
(each field's pre_save and get_db_prep_save, the same related-object checks); the same signals (none).
Other databases (SQLite in development and tests) keep bulk_create.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.expressions import RawSQL


def insert(model: type[Model], objs: Sequence[Model], *, pks: bool = True) -> list[Model]:
    """Insert `objs` (new, unsaved) as bulk_create(objs) would, and return them. With `pks`, objects whose
    primary key the database numbers get their ids (taken from its sequence first, in one statement);
    without, those ids are left to the database and not read back, for rows nobody refers to afterwards."""
    objs = list(objs)
    if not objs:
        return objs
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    opts = model._meta
    numbered = opts.pk.db_returning  # an AutoField: the database numbers the rows
    fields = [f for f in opts.concrete_fields if not (numbered and f.primary_key and not pks)]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    if numbered and pks:
        _number(connection, opts, [obj for obj in objs if obj.pk is None])
    _copy(connection, opts.db_table, fields, _values(connection, fields, objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert_rows(model: type[Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]], *,
                pks: bool = False) -> list[Any] | None:
    """insert() of rows given as their columns' values (`attnames`, in that order) instead of model
    instances: building 1,000 history records as instances cost more than writing them. The model's
    numbered primary key, when it is not among the columns, comes from its sequence (returned in the rows'
    order with `pks`, else None). Only for models whose fields' pre_save reads the value as it is (no
    auto_now): the values are prepared as insert() prepares them."""
    rows = [list(row) for row in rows]
    if not rows:
        return [] if pks else None
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows])
        return [obj.pk for obj in objs] if pks else None
    fields = [opts.get_field(name) for name in attnames]  # get_field knows a foreign key's attname too
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields):
        raise ValueError(f"{opts.label} has fields whose pre_save sets them: use insert()")
    ids = None
    if pks and opts.pk.attname not in attnames:
        ids = _next_ids(connection, opts, len(rows))
        fields = [opts.pk, *fields]
        rows = [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
    _copy(connection, opts.db_table, fields, _prepared(connection, fields, rows))
    return ids


def _copy(connection: Any, table: str, fields: list[Field], rows: list[list[Any]]) -> None:
    """COPY the rows' prepared values into `table`'s columns of `fields`."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor:

        def copy(sql: str, _params: Any, _many: bool, _context: Any) -> None:
            connection.validate_no_broken_transaction()  # as CursorWrapper._execute does
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as stream:
                for row in rows:
                    stream.write_row(row)

        # Through the execute wrappers and the query log, so that query counts see the COPY as one statement.
        if hasattr(cursor, "debug_sql"):
            with cursor.debug_sql(sql):
                cursor._execute_with_wrappers(sql, None, False, copy)
        else:
            cursor._execute_with_wrappers(sql, None, False, copy)


#: Field types whose get_db_prep_save gives PostgreSQL back a value of exactly these types (and None) unchanged.
_PASSED: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("CharField", "TextField", "SlugField", "EmailField", "URLField"), (str,)),
    **dict.fromkeys(("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                     "PositiveSmallIntegerField", "PositiveBigIntegerField", "AutoField", "BigAutoField"), (int,)),
    "BooleanField": (bool,), "DateField": (dt.date,), "UUIDField": (uuid.UUID,),
}


def _values(connection: Any, fields: list[Field], objs: list[Model]) -> list[list[Any]]:
    """Each object's column values as bulk_create prepares them (pre_save, then get_db_prep_save), skipping
    the calls that would return the value unchanged: on 2,000 rows of 30 columns they cost more than COPY."""
    reads = [(attname, pre_save) for attname, pre_save, *_ in _plan(fields)]
    rows = [[pre_save(obj, True) if pre_save else getattr(obj, attname) for attname, pre_save in reads]
            for obj in objs]
    return _prepared(connection, fields, rows)


def _plan(fields: list[Field]) -> list[tuple[Any, ...]]:
    plan = []
    for f in fields:
        kind = (f.target_field if f.is_relation else f).get_internal_type()
        passed = _PASSED.get(kind, ())
        # An aware datetime goes to PostgreSQL as it is when USE_TZ is on; a naive one is made aware by prep.
        aware = kind == "DateTimeField" and settings.USE_TZ
        if aware:
            passed = (dt.datetime,)
        custom_pre_save = type(f).pre_save is not Field.pre_save
        plan.append((f.attname, f.pre_save if custom_pre_save else None, f.get_db_prep_save, passed, aware))
    return plan


def _prepared(connection: Any, fields: list[Field], rows: list[list[Any]]) -> list[list[Any]]:
    """The rows' values (as pre_save gives them) prepared for the database, in place."""
    columns = [(prep, passed, aware) for _attname, _pre_save, prep, passed, aware in _plan(fields)]
    for row in rows:
        for i, (prep, passed, aware) in enumerate(columns):
            value = row[i]
            if value is None:
                if not passed:
                    value = prep(value, connection)  # a JSON field's None, for one, is JSON null
            elif type(value) not in passed or (aware and value.utcoffset() is None):
                value = prep(value, connection)
            row[i] = value
    return rows


def _number(connection: Any, opts: Any, objs: list[Model]) -> None:
    """Give the objects ids from the table's sequence, ascending in the objects' order as an INSERT would."""
    if not objs:
        return
    for obj, pk in zip(objs, _next_ids(connection, opts, len(objs)), strict=True):
        obj.pk = pk


def _next_ids(connection: Any, opts: Any, count: int) -> list[int]:
    """`count` ids from the table's sequence, ascending, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(opts.db_table), opts.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def ids(values: Sequence[int], model: type[Model]) -> Any:
    """The right-hand side of `pk__in` (or a foreign key's `__in`) for many integer ids: on PostgreSQL one
    parameter, a JSON array the database unpacks (500 ids as 500 parameters cost a bulk request's Python
    a few milliseconds per query: each is prepared, and the SQL is split and quoted with them); elsewhere the
    list itself."""
    if connections[router.db_for_read(model)].vendor != "postgresql":
        return list(values)
    return RawSQL("SELECT (jsonb_array_elements_text(%s::jsonb))::bigint", [json.dumps([int(v) for v in values])])
