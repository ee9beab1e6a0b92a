"""Import and export of links between activities (issue 17), as CSV.

Activities are named by their `code` where they have one, else by id (`#12`); a milestone predecessor by its
activity and its checklist position (`code/2`). Export goes through exports.csv_response; an import is all
or nothing (every row through services.dependency_create, the first refusal rolls the file back and is
reported with its row number and the service's reason, a cycle's path included).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from tracker import services
from tracker.errors import DomainError, InvalidInput
from tracker.exports import csv_response, restore_cell
from tracker.models import Activity, Dependency, Milestone, Presidency
from tracker.permissions import Actor
from tracker.validators import plain_digits

COLUMNS = ["predecessor", "predecessor_milestone", "successor", "kind"]


def _ref(code: str | None, pk: int) -> str:
    return code or f"#{pk}"


def export_rows(presidency: Presidency) -> Iterable[list[Any]]:
    links = (Dependency.objects.filter(successor__priority__presidency=presidency).order_by("id")
             .values_list("predecessor__code", "predecessor_id", "predecessor_milestone__order", "successor__code",
                          "successor_id", "kind"))
    for pred_code, pred_id, milestone_order, succ_code, succ_id, kind in links.iterator():
        yield [_ref(pred_code, pred_id), milestone_order or "", _ref(succ_code, succ_id), kind]


def links_csv(presidency: Presidency) -> StreamingHttpResponse:
    return csv_response("links", COLUMNS, export_rows(presidency))


def _activity(ref: str, field: str) -> Activity:
    ref = str(restore_cell(ref) or "").strip()
    try:
        if ref.startswith("#"):
            return Activity.objects.get(pk=int(ref[1:]))
        return Activity.objects.get(code=ref)
    except (ValueError, Activity.DoesNotExist):
        raise InvalidInput({field: [_("No activity “%(ref)s”.") % {"ref": ref}]}) from None


def import_links(*, actor: Actor, text: str) -> int:
    """Create every link of the CSV `text` (columns as exported), all or nothing. Returns how many."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("predecessor", "successor") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput({"file": [_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}]})
    count = 0
    with transaction.atomic():
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            try:
                predecessor = _activity(row.get("predecessor", ""), "predecessor")
                successor = _activity(row.get("successor", ""), "successor")
                milestone = None
                order = str(row.get("predecessor_milestone") or "").strip()
                if order:
                    milestone = Milestone.objects.filter(activity=predecessor, order=order if plain_digits(order)
                                                         else -1).first()
                    if milestone is None:
                        raise InvalidInput({"predecessor_milestone": [
                            _("No milestone %(order)s in that activity.") % {"order": order}]})
                services.dependency_create(actor=actor, predecessor=predecessor, successor=successor,
                                           predecessor_milestone=milestone,
                                           kind=str(row.get("kind") or "fs").strip())
            except DomainError as error:
                details = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.field_errors().items())
                raise InvalidInput({"file": [_("Row %(row)s: %(details)s") % {"row": number, "details": details}]}
                                   ) from None
            count += 1
    return count
