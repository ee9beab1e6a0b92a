"""The API's text for a date and time, in Python and as PostgreSQL can write it (issue 18).

`iso_datetime` is the one rule: DRF's DateTimeField representation (ISO 8601 in the current time zone,
microseconds only when there are any, "Z" when the offset is zero, seconds in the offset only when it has
some). `IsoDateTime` is the same rule as SQL, so that PostgreSQL sends a page's timestamps already written
out: psycopg's (pure-Python) timestamp parser and Python's formatting took about a sixth of an API list page
(docs/performance.md). tests/api/test_iso_text.py checks, on PostgreSQL, that both give the same text for
varied instants and zones; SQLite and any zone without an IANA name keep the Python path.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.db.models import CharField, Expression, F, Func
from django.utils import timezone
from rest_framework import serializers

_DATETIME = serializers.DateTimeField()
#: A row carries a datetime column already written as text (by PostgreSQL) under its name plus this.
ISO_SUFFIX = "__iso"


def iso_datetime(value: Any, zone: Any) -> str | None:
    """DRF's DateTimeField representation (ISO 8601 in `zone`, "Z" for UTC) without its per-call settings and
    zone lookups: three of them per row were a third of a list page's time."""
    if value and isinstance(value, dt.datetime) and value.tzinfo is not None:
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return _DATETIME.to_representation(value)


# An IANA zone name as PostgreSQL and zoneinfo both know it; written into the SQL as a literal (so a compiled
# statement has no parameter for it), hence checked to be nothing else.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*\Z")


def sql_zone_name() -> str | None:
    """The current time zone's name if PostgreSQL can write datetimes in it, else None (the Python path)."""
    zone = timezone.get_current_timezone()
    if isinstance(zone, zoneinfo.ZoneInfo) and zone.key and _ZONE_NAME.match(zone.key):
        return zone.key
    return None


def zone_key() -> str:
    """What a compiled statement that writes datetimes as text depends on: the current zone's name."""
    return str(timezone.get_current_timezone())


class IsoDateTime(Func):
    """PostgreSQL: a timestamptz column as `iso_datetime` writes it in the zone named (NULL stays NULL)."""

    output_field = CharField()

    def __init__(self, column: str | Expression, zone_name: str) -> None:
        if not _ZONE_NAME.match(zone_name):
            raise ValueError(f"not a time zone name: {zone_name!r}")
        self.zone_name = zone_name
        super().__init__(F(column) if isinstance(column, str) else column)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        value, params = compiler.compile(self.source_expressions[0])
        if params:
            raise ValueError("IsoDateTime writes a column, not an expression with parameters")
        local = f"(({value}) AT TIME ZONE '{self.zone_name}')"
        offset = f"({local} - (({value}) AT TIME ZONE 'UTC'))"
        seconds = "CASE WHEN EXTRACT(SECOND FROM {o}) = 0 THEN '' ELSE to_char({o}, ':SS') END"
        sql = (
            f"""(to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
            f" || CASE WHEN to_char({value}, 'US') = '000000' THEN '' ELSE to_char({value}, '.US') END"
            f" || CASE WHEN {offset} = INTERVAL '0' THEN 'Z'"
            f" WHEN {offset} > INTERVAL '0' THEN '+' || to_char({offset}, 'HH24:MI') || "
            + seconds.format(o=offset)
            + f" ELSE '-' || to_char(-{offset}, 'HH24:MI') || " + seconds.format(o=f"(-{offset})")
            + " END)"
        )
        return sql, []

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        raise NotImplementedError("SQLite writes datetimes in Python (tracker/iso.py iso_datetime)")
