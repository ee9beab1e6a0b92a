"""Text rules every door shares (model validators, so the web form, the admin, imports and the API all apply
them through full_clean, and the API applies them to references in its URLs)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def plain_digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²' and other digits that int() refuses (a 500)."""
    return text.isascii() and text.isdigit()


@deconstructible
class NoControlCharacters:
    """Refuse control characters (NUL, carriage return, escape...): they break calendar feeds, spreadsheets
    and PostgreSQL (which cannot store NUL). Multi-line text keeps tab and newlines."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: str) -> None:
        value = str(value)
        if value.isprintable():
            return  # no control characters (nor anything else unprintable): the common case, checked in C
        allowed = "\t\n\r" if self.multiline else ""
        if any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in value):
            raise ValidationError(
                _("Control characters (such as NUL or a line break) are not allowed here.")
                if not self.multiline else _("Control characters (such as NUL) are not allowed here."),
                code="control_characters",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)


single_line = NoControlCharacters()
multi_line = NoControlCharacters(multiline=True)
