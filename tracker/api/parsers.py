"""JSON in: DRF's parser, with the limits a hostile body needs.

The standard library parses numbers exactly (orjson would turn a 25-digit integer into a float), but deep
nesting makes it raise RecursionError and it accepts lone surrogates (`"\\ud800"`) that no UTF-8 output can
hold. Both are answered as malformed JSON (400) here, before any view, serializer or idempotency record
sees the data.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: The API's deepest legitimate body is a bulk request: {"items": [{"participating_states": [1]}]}.
MAX_DEPTH = 32


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested more than %(depth)s levels deep.")
                             % {"depth": MAX_DEPTH}) from None
        check_json_value(data)
        return data


def check_json_value(data: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and text that is not valid Unicode (lone surrogates), walking
    the value without recursion."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_("JSON parse error - nested more than %(depth)s levels deep.")
                                 % {"depth": MAX_DEPTH})
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    pending.append((item, depth + 1))
            else:
                pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("JSON parse error - a string holds a lone surrogate (\\ud800-\\udfff), which is not "
                           "valid Unicode.")) from None
