"""The stocktake pack as a Word document (python-docx): the format ministries exchange."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document


def stocktake_pack(context: dict[str, Any]) -> bytes:
    """The stocktake's record: scope, attendees, every activity with its rating and change, the risks and
    decisions asked for, then the decisions taken and the actions agreed."""
    stocktake, data = context["stocktake"], context["data"]
    doc = Document()
    doc.add_heading(stocktake.title, level=0)
    status = _("Closed, frozen on %(date)s") % {"date": stocktake.closed_at.date().isoformat()} \
        if stocktake.is_closed and stocktake.closed_at else _("Open")
    doc.add_paragraph(f"{_('Held on')}: {stocktake.held_on.isoformat()} · {status}")
    scope = stocktake.priority.display_title if stocktake.priority else _("The whole presidency")
    doc.add_paragraph(f"{_('Scope')}: {scope}")

    doc.add_heading(_("Attendees"), level=1)
    for name in stocktake.attendee_list or ["—"]:
        doc.add_paragraph(name, style="List Bullet")

    doc.add_heading(_("Activities"), level=1)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("Activity"), _("Status"), _("Due date"), _("Rating"),
                                                  _("Change"), _("Notes")], strict=True):
        cell.text = str(text)
    changes = {"up": _("improved"), "down": _("fell"), "same": _("unchanged"), "new": _("first rating"), "": "—"}
    for row in data["activities"]:
        notes = []
        if row["overdue"]:
            notes.append(str(_("overdue")))
        elif row["due_soon"]:
            notes.append(str(_("due soon")))
        notes += row["disagreements"]
        cells = table.add_row().cells
        values = [row["title"], f"{row['status_label']} ({row['progress']}%)", row["due_date"] or "—",
                  f"{row['rating_shape']} {row['rating_label']}".strip() or _("not rated"),
                  changes.get(row["change"], "—"), "; ".join(notes)]
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)

    doc.add_heading(_("Open high and escalated risks"), level=1)
    for risk in data["risks"] or []:
        score = f" ({_('score')} {risk['score']})" if risk["score"] else ""
        doc.add_paragraph(f"{risk['kind_label']}: {risk['statement']}{score}", style="List Bullet")
    if not data["risks"]:
        doc.add_paragraph(_("None."))
    doc.add_heading(_("Decisions asked for"), level=1)
    for entry in data["decisions_asked"] or []:
        doc.add_paragraph(entry["statement"], style="List Bullet")
    if not data["decisions_asked"]:
        doc.add_paragraph(_("None."))

    doc.add_heading(_("Decisions"), level=1)
    for item in context["decisions"] or []:
        doc.add_paragraph(item.text, style="List Number")
    if not context["decisions"]:
        doc.add_paragraph(_("None."))
    doc.add_heading(_("Actions"), level=1)
    for item in context["actions"] or []:
        who = f" — {item.owner}" if item.owner else ""
        due = f" ({_('due')} {item.due_date.isoformat()})" if item.due_date else ""
        doc.add_paragraph(f"{item.text}{who}{due}", style="List Number")
    if not context["actions"]:
        doc.add_paragraph(_("None."))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
