"""Cursors for the API's hottest reads (issue 18): prepared statements, and psycopg's C timestamp parser.

Both are Django's own cursor underneath, wrapped as Django wraps it: the statement is logged, counted
(django_assert_num_queries, the benchmark's X-Queries) and its errors are Django's. On anything but
PostgreSQL they are the plain cursor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connections

#: psycopg prepares a statement only once the connection has a threshold, and Django leaves it None (no
#: statement is prepared). This one is never reached by counting: only statements run with prepare=True are.
_NEVER_BY_COUNT = 1 << 30
_CLASSES: dict[str, Any] = {}


def _classes() -> dict[str, Any]:
    if not _CLASSES:
        import psycopg
        from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
        from psycopg.pq import Format

        class PreparingCursor(ServerBindingCursor):
            """Binds on the server and has psycopg prepare each statement (once per connection)."""

            def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                        binary: bool | None = None) -> Any:
                return super().execute(query, params, prepare=True, binary=binary)

        # psycopg's default timestamptz loader: its C one when psycopg[binary] or [c] is installed. Django
        # registers a pure-Python subclass on every connection (to set its zone); a page of 100 rows spent
        # about a tenth of its time in it (docs/performance.md).
        loader = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        compiled = not loader.__module__.startswith("psycopg.")
        _CLASSES.update(preparing=PreparingCursor, oid=TIMESTAMPTZ_OID, loader=loader if compiled else None)
    return _CLASSES


def row_cursor(using: str, *, prepare: bool = False) -> Any:
    """A cursor of `using` for reading rows. On PostgreSQL its timestamps are parsed by psycopg's C loader
    when that gives exactly what Django's gives (both sides in UTC: an aware datetime in datetime.UTC).

    With `prepare` (and API_PREPARED_STATEMENTS on), PostgreSQL plans the statement once per connection and
    then only runs it: planning the API's one-activity statement (five joins, two ordered array subqueries)
    took 0.6 ms and running it 0.1 ms. Turn it off behind a pooler in transaction mode, which cannot keep a
    session's prepared statements."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    classes = _classes()
    # What connection.cursor() does first: a kept connection that died is replaced (CONN_HEALTH_CHECKS).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if prepare and settings.API_PREPARED_STATEMENTS:
            if raw.prepare_threshold is None:
                raw.prepare_threshold = _NEVER_BY_COUNT
            cursor = classes["preparing"](raw)
        else:
            cursor = connection.create_cursor()
        utc = connection.timezone is dt.UTC and raw.info.parameter_status("TimeZone") == "UTC"
        if classes["loader"] is not None and utc:
            cursor.adapters.register_loader(classes["oid"], classes["loader"])
        elif cursor.adapters.get_loader(classes["oid"], 0).timezone != connection.timezone:
            # As Django's create_cursor does: the connection's own zone, if the cursor's loader disagrees.
            from django.db.backends.postgresql.psycopg_any import register_tzloader

            register_tzloader(connection.timezone, cursor)
        return connection._prepare_cursor(cursor)
