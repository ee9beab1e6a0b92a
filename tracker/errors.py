"""The one family of errors the domain raises. Each door turns them into its own kind of answer:
the API into a problem-details 4xx, the web board and the admin into a message next to the field."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A write the agenda refuses. `message` is written for the person who asked; `field` names the input
    at fault when there is one; `code` is stable for machines."""

    code = "refused"

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field

    def field_errors(self) -> dict[str, list[str]]:
        """The refusal as field errors, as a bulk request reports each refused item."""
        return {self.field or "non_field_errors": [self.message]}


class TransitionNotAllowed(DomainError):
    """The workflow does not allow this change of status."""

    code = "transition_not_allowed"


class NotPermitted(DomainError):
    """The actor may not make this change."""

    code = "permission_denied"


class StaleVersion(DomainError):
    """The writer based its change on a version that is no longer current."""

    code = "stale_version"

    def __init__(self, message: Any, *, current_version: int) -> None:
        super().__init__(message, field="version")
        self.current_version = current_version


class InvalidInput(DomainError):
    """Field values that fail validation; `errors` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors

    def field_errors(self) -> dict[str, list[str]]:
        return self.errors


class TooLarge(DomainError):
    """An uploaded file over the size limit (the API answers 413, the web board a message with the limit)."""

    code = "payload_too_large"

    def __init__(self, message: Any, *, limit: int) -> None:
        super().__init__(message, field="file")
        self.limit = limit


class BulkInvalid(InvalidInput):
    """Some items of a bulk request were refused; `item_errors` maps each index to its field errors and
    `item_codes` each index to the refusal's kind (a DomainError code, e.g. "permission_denied")."""

    code = "bulk_invalid"

    def __init__(self, item_errors: dict[int, dict[str, list[str]]], item_codes: dict[int, str] | None = None) -> None:
        self.item_errors = item_errors
        self.item_codes = item_codes or {}
        first = min(item_errors)
        super().__init__({f"items[{first}].{f}": m for f, m in item_errors[first].items()})
