"""Strict input: a field an endpoint does not accept is refused by name, and a value of the wrong JSON
type is refused rather than coerced."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

#: Longest free text the API takes in a description or a note (the database itself has no limit).
MAX_TEXT_LENGTH = 20_000
MAX_NOTE_LENGTH = 2_000
#: Most items one bulk request may carry.
BULK_MAX_ITEMS = 500


# --- Strict input ----------------------------------------------------------------------------------------

class StrictInputMixin:
    """Refuse fields the serializer does not accept, naming each, instead of silently ignoring them."""

    #: Fields that appear in responses but cannot be written, with the reason given when a client sends one.
    read_only_hints: Mapping[str, str] = {}

    @cached_property
    def _writable(self) -> frozenset[str]:
        # Once per serializer: a bulk request's 500 items share one child serializer.
        return frozenset(name for name, field in self.fields.items() if not field.read_only)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = self._writable
            errors = {}
            for name in data:
                if name in writable:
                    continue
                if name in self.read_only_hints:
                    errors[name] = [self.read_only_hints[name]]
                else:
                    errors[str(name)] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# --- Bulk items: each distinct value validated once ----------------------------------------------------------

#: JSON values whose validation a bulk request's items can share: (field, type, value) names the result.
_SHAREABLE = (str, int, bool, type(None))


class SharedValuesMixin:
    """A bulk request's item serializer (the one child of its list): a JSON object of known fields is validated
    field by field as Serializer.to_internal_value does, but a value already validated for the same field in
    this request (a sync sends the same priority, body, due date and progress 500 times) takes the earlier
    result. Fields validate their value alone, so the result is the same; any item that is not plainly valid
    (an unknown field, a missing required one, a refused value) goes through the whole DRF path, which gives
    exactly its usual errors."""

    @cached_property
    def _shared_fields(self) -> list[Any] | None:
        fields = list(self._writable_fields)  # type: ignore[attr-defined]
        if any(getattr(self, f"validate_{f.field_name}", None) for f in fields):
            return None  # a per-field validate_ method: keep DRF's path
        return fields

    def to_internal_value(self, data: Any) -> Any:
        fields = self._shared_fields
        if type(data) is not dict or fields is None or not self._writable.issuperset(data):  # type: ignore[attr-defined]
            return super().to_internal_value(data)  # type: ignore[misc]
        seen = self.__dict__.setdefault("_seen_values", {})  # this request's serializer only
        ret: dict[str, Any] = {}
        for field in fields:
            name = field.field_name
            if name not in data:
                if field.required or field.default is not empty:
                    return super().to_internal_value(data)  # type: ignore[misc]
                continue  # DRF skips an absent optional field without a default
            value = data[name]
            key = (name, type(value), value) if type(value) in _SHAREABLE else None
            if key is not None and key in seen:
                validated = seen[key]
            else:
                try:
                    validated = field.run_validation(value)
                except (serializers.ValidationError, DjangoValidationError, SkipField):
                    return super().to_internal_value(data)  # type: ignore[misc]
                if key is not None:
                    seen[key] = validated
            self.set_value(ret, field.source_attrs, validated)  # type: ignore[attr-defined]
        return ret


# --- Strict JSON types: a string where a number belongs (or the reverse) is refused, not coerced ---------------

class JSONTyped:
    """Mixed into a field: it takes only `json_type` (a bool is not an integer), anything else is refused."""

    json_type: type = str

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) != (self.json_type is bool) or not isinstance(data, self.json_type):
            self.refuse(data)
        return super().to_internal_value(data)  # type: ignore[misc]

    def refuse(self, data: Any) -> None:
        self.fail("invalid")  # type: ignore[attr-defined]


class StrictCharField(JSONTyped, serializers.CharField):
    """Text as sent: not trimmed (so the length checked is the length sent), and never a number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class StrictSlugField(JSONTyped, serializers.SlugField):
    pass


class StrictURLField(JSONTyped, serializers.URLField):
    pass


class StrictIntegerField(JSONTyped, serializers.IntegerField):
    json_type = int


class StrictBooleanField(JSONTyped, serializers.BooleanField):
    json_type = bool


class StrictChoiceField(JSONTyped, serializers.ChoiceField):
    def refuse(self, data: Any) -> None:
        self.fail("invalid_choice", input=data)


class CachedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row named by its id (a JSON integer) or by its code (a JSON string): a body's code
    ("by-mod"), a state's ISO code ("BY"), a priority's "<presidency code>:<number>" (or its number alone
    when one presidency has it). Looked up once per request even when a bulk request names it 500 times."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "unknown_code": _("No row has the code “{code}”."),
        "ambiguous_code": _("Several presidencies have a priority {code}; write it as “<presidency code>:{code}”."),
    }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        root = self.root
        cache = root.__dict__.setdefault("_related_cache", {})
        key = (self.queryset.model, type(data), data)
        if key in cache:
            return cache[key]
        if isinstance(data, str) and not self._has_code():
            self.fail("incorrect_type", data_type="str")
        value = super().to_internal_value(data) if isinstance(data, int) else self._by_code(data)
        cache[key] = value
        return value

    def _has_code(self) -> bool:
        model = self.queryset.model
        return model._meta.model_name == "priority" or any(f.name == "code" for f in model._meta.fields)

    def _by_code(self, code: str) -> Any:
        from tracker.models import Priority

        queryset = self.get_queryset()
        code = code.strip()
        if not code or len(code) > 80:
            self.fail("unknown_code", code=code[:80])
        if queryset.model is Priority:
            presidency, _sep, number = code.rpartition(":")
            if not number.isascii() or not number.isdigit() or len(number) > 4:
                self.fail("unknown_code", code=code)
            matches = queryset.filter(number=int(number))
            if presidency:
                matches = matches.filter(presidency__code=presidency)
            found = list(matches[:2])
            if len(found) > 1:
                self.fail("ambiguous_code", code=code)
        else:
            if queryset.model._meta.model_name == "memberstate":
                code = code.upper()  # ISO 3166 codes: "by" is "BY"
            found = list(queryset.filter(code=code)[:1])
        if not found:
            self.fail("unknown_code", code=code)
        return found[0]


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields take only the JSON type the schema promises."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
    }
    serializer_related_field = CachedRelatedField
    serializer_choice_field = StrictChoiceField


VERSION_HINT = _("Read-only. To make a change conditional on a version, send it in the If-Match header.")
READ_ONLY_HINT = _("This field is read-only.")
