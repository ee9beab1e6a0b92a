"""Spreadsheet import and export of activities (django-import-export), writing through the services.

A file is imported whole or not at all: any bad row rolls the whole file back, and the report names each
bad row with its fields. Rows are matched to existing activities by their `code`.
"""

from __future__ import annotations

import zipfile
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.forms import ImportForm

from tracker import logtext, services
from tracker.errors import DomainError, InvalidInput
from tracker.exports import neutralise_cell, restore_cell
from tracker.models import Activity, Body, Channel, MemberState, Participation, Priority
from tracker.permissions import Actor
from tracker.services import commitments as services_commitments


class PriorityWidget(widgets.Widget):
    """A priority is named by its presidency's code (column `presidency`) and its number (column `priority`)."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Priority | None:
        if value in (None, ""):
            return None
        presidency_code = (row or {}).get("presidency") or ""
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(_("Priority must be a number from 1 to 4, got “%(value)s”.") % {"value": value}) from None
        try:
            return Priority.objects.select_related("presidency").get(
                presidency__code=presidency_code, number=number
            )
        except Priority.DoesNotExist:
            raise ValueError(
                _("No priority %(number)s in presidency “%(code)s”.") % {"number": number, "code": presidency_code}
            ) from None

    def render(self, value: Priority | None, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value.number)


def parse_participations(cell: Any) -> list[tuple[MemberState, dict[str, Any]]]:
    """The participations cell as (state, {role, level, confirmed}) pairs; InvalidInput naming the column and
    the first part it cannot read."""
    text = str(cell or "").strip()
    if not text:
        return []
    roles, levels = set(Participation.Role.values), set(Participation.Level.values)
    parsed: list[tuple[str, dict[str, Any]]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        words = [w.strip() for w in part.split(":")]
        code, rest = words[0].upper(), words[1:]
        data: dict[str, Any] = {"role": Participation.Role.PARTICIPANT, "level": "", "confirmed": False}
        if rest and rest[0] in roles:
            data["role"] = rest.pop(0)
        for word in rest:
            if word in levels:
                data["level"] = word
            elif word == "confirmed":
                data["confirmed"] = True
            else:
                raise InvalidInput({"participations": [
                    _("“%(part)s”: write STATE:role[:level][:confirmed], roles %(roles)s, levels %(levels)s.")
                    % {"part": part, "roles": ", ".join(sorted(roles)), "levels": ", ".join(sorted(levels))}]})
        parsed.append((code, data))
    states = {state.code.upper(): state for state in MemberState.objects.filter(
        code__in=[code for code, _ in parsed])}
    unknown = [code for code, _ in parsed if code not in states]
    if unknown:
        raise InvalidInput({"participations": [
            _("Unknown state code: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    return [(states[code], data) for code, data in parsed]


class ActivityResource(resources.ModelResource):
    presidency = fields.Field(attribute="priority__presidency__code", column_name="presidency", readonly=True)
    priority = fields.Field(attribute="priority", column_name="priority", widget=PriorityWidget())
    responsible_body = fields.Field(
        attribute="responsible_body", column_name="responsible_body",
        widget=widgets.ForeignKeyWidget(Body, field="code"),
    )
    lead_state = fields.Field(
        attribute="lead_state", column_name="lead_state", widget=widgets.ForeignKeyWidget(MemberState, field="code")
    )
    # The owner (issue 13) by username; the services check they may edit the activity.
    owner = fields.Field(
        attribute="owner", column_name="owner",
        widget=widgets.ForeignKeyWidget(get_user_model(), field="username"),
    )
    participating_states = fields.Field(
        attribute="participating_states", column_name="participating_states",
        widget=widgets.ManyToManyWidget(MemberState, field="code", separator=","),
    )

    # Each state's part (role, level, confirmed), "BY:host:minister:confirmed; KZ:participant". An import
    # first sets the bare list (new states take part as participants) and `lead_state`, then each state named
    # here gets its role, level and confirmation through the participation service; states not named keep
    # theirs, and an empty cell changes no role.
    participations = fields.Field(column_name="participations")

    # What the dates rest on: exported for reading; confirming a date is done on the activity's page.
    date_basis = fields.Field(attribute="date_basis", column_name="date_basis", readonly=True)
    date_basis_note = fields.Field(attribute="date_basis_note", column_name="date_basis_note", readonly=True)
    date_basis_note_ru = fields.Field(attribute="date_basis_note_ru", column_name="date_basis_note_ru", readonly=True)
    date_confirmed_by = fields.Field(attribute="date_confirmed_by", column_name="date_confirmed_by", readonly=True)
    date_confirmed_at = fields.Field(attribute="date_confirmed_at", column_name="date_confirmed_at", readonly=True)

    class Meta:
        model = Activity
        import_id_fields = ["code"]
        fields = (
            "code", "presidency", "priority", "title", "title_ru", "description", "description_ru", "kind",
            "status", "start_date", "due_date", "progress", "responsible_body", "lead_state",
            "participating_states", "participations", "location", "external_source", "external_id", "date_basis",
            "date_basis_note", "date_basis_note_ru", "date_confirmed_by", "date_confirmed_at", "owner",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def get_queryset(self):
        return Activity.objects.select_related(
            "priority__presidency", "responsible_body", "lead_state", "owner"
        ).prefetch_related("participating_states", "participations__memberstate")

    def dehydrate_participations(self, activity: Activity) -> str:
        parts = []
        for p in activity.participations.all():
            words = [p.memberstate.code, p.role, *([p.level] if p.level else [])]
            words += ["confirmed"] if p.confirmed else []
            parts.append(":".join(words))
        return "; ".join(parts)

    def export_field(self, field: fields.Field, instance: Activity, **kwargs: Any) -> Any:
        # Every admin export (CSV and XLSX) goes through here: no cell may start a formula (tracker/exports.py).
        return neutralise_cell(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        for column, value in row.items():
            row[column] = restore_cell(value)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        # All or nothing: an invalid row rolls back every row, not only the broken one.
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True,
            collect_failed_rows=collect_failed_rows, rollback_on_validation_errors=True, **kwargs,
        )

    def save_instance(self, instance: Activity, is_create: bool, row: dict, **kwargs: Any) -> None:
        user = kwargs.get("user")
        actor = Actor.for_user(user, Channel.ADMIN) if user is not None else Actor.system()
        data = {name: getattr(instance, name) for name in services.ACTIVITY_FIELDS if name != "participating_states"}
        if "participating_states" in row:
            data["participating_states"] = list(self.fields["participating_states"].clean(row) or [])
        try:
            if is_create:
                created = services.activity_create(actor=actor, data=data, event=logtext.IMPORTED)
                instance.pk = created.pk
            else:
                services.activity_update(
                    actor=actor, activity=instance, changes=data, event=logtext.IMPORTED
                )
            parts = parse_participations(row.get("participations"))
            if parts:
                activity = Activity.objects.get(pk=instance.pk)
                for memberstate, data in parts:
                    try:
                        services_commitments.participation_save(
                            actor=actor, activity=activity, memberstate=memberstate, data=data)
                    except InvalidInput as exc:  # the record's refusal belongs to this column of the row
                        raise InvalidInput({"participations": [
                            str(message) for messages in exc.errors.values() for message in messages]}) from None
        except InvalidInput as exc:
            raise ValidationError(exc.errors) from None
        except DomainError as exc:
            raise ValidationError({exc.field or "status": [exc.message]}) from None

    def skip_row(self, instance: Activity, original: Activity, row: dict, import_validation_errors=None) -> bool:
        # A row whose only change is in its participations cell still has something to write.
        cell = str(row.get("participations") or "").strip()
        if cell and original.pk and cell != self.dehydrate_participations(original):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def import_field(self, field: fields.Field, instance: Activity, row: dict, is_m2m: bool = False,
                     **kwargs: Any) -> None:
        if field.column_name == "participations":
            return  # written after the activity is saved (save_instance), through the services
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def save_m2m(self, instance: Activity, row: dict, **kwargs: Any) -> None:
        """States were saved by the service in save_instance."""


class LimitedImportForm(ImportForm):
    """The admin's import form, refusing files too large to read, and archives (an XLSX is a zip) that
    would expand beyond the limit once unpacked, before the library reads them."""

    def clean_import_file(self) -> UploadedFile:
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise ValidationError(_("The file is too large: at most %(limit)s.")
                                  % {"limit": filesizeformat(settings.IMPORT_MAX_FILE_BYTES)})
        if zipfile.is_zipfile(upload):
            try:
                with zipfile.ZipFile(upload) as archive:
                    members = archive.infolist()
            except (zipfile.BadZipFile, OSError, ValueError):
                raise ValidationError(_("The file is not a readable spreadsheet.")) from None
            unpacked = sum(member.file_size for member in members)
            if len(members) > settings.IMPORT_MAX_ARCHIVE_MEMBERS or unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise ValidationError(_("The spreadsheet expands to more than %(limit)s when unpacked.")
                                      % {"limit": filesizeformat(settings.IMPORT_MAX_UNPACKED_BYTES)})
        upload.seek(0)
        return upload
