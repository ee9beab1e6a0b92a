"""The admin's one gate: who may see and change a page or an inline, from tracker/permissions.py.

Every page and inline states its rule through RoleGate's hooks (may_read, may_write, may_add, may_delete);
Django's has_*_permission methods are written once, here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from tracker import permissions
from tracker.errors import DomainError
from tracker.models import Channel
from tracker.permissions import Actor


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice that refuses an id beyond 64 bits as invalid: Django would look it up with `in`,
    which SQLite cannot even bind (a server error instead of a form message)."""

    def _check_values(self, value: Any) -> QuerySet:
        for pk in value if isinstance(value, list | tuple | set | frozenset) else []:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django's own checks refuse it
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)


BOUNDED_CHOICES = {models.ManyToManyField: {"form_class": BoundedModelMultipleChoiceField}}


def actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, Channel.ADMIN)


class ServiceRefusalsAsMessages:
    """A refusal the services raise (a race with another writer, a rule the form could not foresee) rolls the
    save back and comes back as a message next to the form, never as a server error. Put before ModelAdmin."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class DeletesOneByOne:
    """The changelist's "delete selected" deletes row by row through the page's delete_model (so each deletion
    goes through its service, with its audit entry), all or none. Put before ModelAdmin."""

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class RoleGate:
    """Everyone with a role reads; coordinators manage. Override the hooks, not Django's methods."""

    def may_read(self, request: HttpRequest) -> bool:
        return request.user.is_staff and permissions.role_of(request.user) is not None

    def may_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_manage_agenda(actor(request))

    def may_add(self, request: HttpRequest, obj: Any = None) -> bool:
        """`obj` is the parent object for an inline, None for a page."""
        return self.may_write(request, obj)

    def may_delete(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_write(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_read(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.may_read(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_add(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_write(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_delete(request, obj)


class CoordinatorsRead(RoleGate):
    """Integration settings and the machinery's records are the coordinators' business, to read as well."""

    def may_read(self, request: HttpRequest) -> bool:
        return request.user.is_staff and permissions.can_manage_agenda(actor(request))


class NobodyWrites(RoleGate):
    """Records the tracker writes itself: read, never edited here."""

    def may_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoleGatedAdmin(RoleGate, admin.ModelAdmin):
    formfield_overrides = BOUNDED_CHOICES


class RoleGatedInline(RoleGate):
    """Mixed into an inline: its rows follow the same roles as their parent page."""


class CoordinatorOnlyAdmin(CoordinatorsRead, RoleGatedAdmin):
    pass


class ReadOnlyAdmin(NobodyWrites, CoordinatorOnlyAdmin):
    """Records the jobs write: coordinators read them (the machinery is theirs to watch), nobody edits them."""
