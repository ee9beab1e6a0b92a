"""Shared model helpers: content stored in English and Russian, natural keys for the seed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language


def localized(obj: models.Model, field: str) -> str:
    """The Russian variant of `field` when Russian is active and filled in, else the English one."""
    lang = (get_language() or "en")[:2]
    if lang != "en":
        value = getattr(obj, f"{field}_{lang}", "")
        if value:
            return value
    return getattr(obj, field)


class CodeManager(models.Manager):
    """Looks rows up by their stable `code`, the natural key the fixtures use."""

    def get_by_natural_key(self, code: str) -> models.Model:
        return self.get(code=code)
