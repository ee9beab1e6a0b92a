"""One column of related ids carried in its row's own statement: PostgreSQL's ARRAY(subquery), or SQLite's
json_group_array over the same subquery. Reads that used a second query (or a join that repeated the row)
for a list of ids get it in the same round trip (docs/performance.md)."""

from __future__ import annotations

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
