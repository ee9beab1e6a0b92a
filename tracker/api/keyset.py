"""Keyset ("cursor") positions for the API's pages: the next page is the rows after the last one seen, in
the list's total order, instead of an OFFSET that the database must count through.

A cursor is the last row's values of the order's fields, as URL-safe base64 JSON. It is not secret: a
hand-made one only chooses another starting point of a list the caller may read anyway.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions

CURSOR_PARAM = "cursor"

#: (field path, descending) for each field of a list's order; the last one is the primary key.
Order = list[tuple[str, bool]]


def order_of(queryset: QuerySet) -> Order | None:
    """The queryset's order, if a cursor can follow it: plain fields that are never null, ending with the
    primary key (so the order is total). Otherwise None, and the list pages by number only."""
    if not isinstance(queryset, QuerySet):
        return None
    columns = set(queryset.query.values_select)  # a values() queryset: the order's fields must be among them
    terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    order: Order = []
    for term in terms:
        if not isinstance(term, str):
            return None
        path = term.lstrip("-")
        if path == "pk":
            path = queryset.model._meta.pk.name
        field = _field(queryset.model, path)
        if field is None or field.null or (columns and path not in columns):
            return None
        order.append((path, term.startswith("-")))
    if not order or order[-1][0] != queryset.model._meta.pk.name:
        return None
    return order


def encode(order: Order, row: Any) -> str:
    values = [_plain(_value(row, path)) for path, _desc in order]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(order: Order, token: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        values = None
    if not isinstance(values, list) or len(values) != len(order) or not all(map(_storable, values)):
        raise invalid()
    return values


def invalid() -> exceptions.ValidationError:
    return exceptions.ValidationError({CURSOR_PARAM: [_("Not a cursor this list gave out; start again from "
                                                        "the first page.")]})


def after(queryset: QuerySet, order: Order, values: list[Any]) -> QuerySet:
    """The rows after `values` in `order`: (a > x) or (a = x and b > y) or ..., with the first field's bound
    repeated on its own so that the database can start its index scan there."""
    condition = Q()
    for index, (path, descending) in enumerate(order):
        equal = {p: v for (p, _d), v in zip(order[:index], values[:index], strict=True)}
        condition |= Q(**equal, **{f"{path}__{'lt' if descending else 'gt'}": values[index]})
    first, descending = order[0]
    bound = Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]})
    try:
        return queryset.filter(bound & condition)  # values are converted (and refused) here, before any query
    except (DjangoValidationError, ValueError, TypeError):
        raise invalid() from None


def _storable(value: Any) -> bool:
    """What a column compares with safely: no floats, integers in the database's range, text without NUL."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value


def _field(model: Any, path: str) -> Any:
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            if not (field.many_to_one or field.one_to_one) or field.null:
                return None
            model = field.related_model
    return field


def _value(row: Any, path: str) -> Any:
    if isinstance(row, dict):
        return row[path]
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value
