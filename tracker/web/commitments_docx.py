"""Word documents built with python-docx: declared versus delivered, and the handover pack."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from docx import Document

from tracker.models import Presidency
from tracker.selectors.commitments import DeliveredRow, HandoverPack


def delivered_docx(presidency: Presidency | None, rows: Sequence[DeliveredRow]) -> bytes:
    """Every commitment with its quotation, outcome, evidence and the activities that carried it."""
    document = Document()
    document.add_heading(_("Declared versus delivered"), level=0)
    if presidency is not None:
        document.add_paragraph(str(presidency))
    document.add_paragraph(_("Produced %(when)s.") % {
        "when": formats.date_format(timezone.localtime(), "DATETIME_FORMAT")})
    if not rows:
        document.add_paragraph(_("No commitments are recorded for this presidency."))
    for row in rows:
        c = row.commitment
        document.add_heading(f"{c.number}. {c.display_statement}", level=2)
        quote = document.add_paragraph(style="Intense Quote")
        quote.add_run(f"“{c.display_quote}”")
        document.add_paragraph(_("Source: %(source)s, paragraph %(passage)s.") % {
            "source": c.source.display_title, "passage": c.passage})
        document.add_paragraph(_("Priority %(number)s: %(title)s") % {
            "number": c.priority.number, "title": c.priority.display_title})
        if c.display_success_criterion:
            document.add_paragraph(_("Success criterion: %(text)s") % {"text": c.display_success_criterion})
        document.add_paragraph(_("State: %(state)s") % {"state": row.state_label})
        if c.outcome:
            document.add_paragraph(_("Evidence: %(text)s") % {"text": c.outcome_evidence})
            signer = c.outcome_signed_by.get_username() if c.outcome_signed_by else "—"
            when = formats.date_format(timezone.localtime(c.outcome_signed_at), "DATETIME_FORMAT") \
                if c.outcome_signed_at else "—"
            document.add_paragraph(_("Signed off by %(who)s on %(when)s.") % {"who": signer, "when": when})
        activities = list(c.activities.all())
        if activities:
            document.add_paragraph(_("Activities that carried it:"))
            for activity in activities:
                document.add_paragraph(
                    f"{activity.display_title} ({activity.get_status_display()}, {activity.progress}%)",
                    style="List Bullet",
                )
        else:
            document.add_paragraph(_("No activity serves this commitment."))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def handover_docx(pack: HandoverPack) -> bytes:
    """The handover pack as a Word document: open work, pending decisions, owners and contacts, outcomes."""
    document = Document()
    document.add_heading(_("Handover to the next presidency"), level=0)
    document.add_paragraph(str(pack.presidency))
    if pack.successor is not None:
        document.add_paragraph(_("Successor: %(presidency)s") % {"presidency": pack.successor})
    document.add_heading(_("Open activities"), level=1)
    if not pack.open_activities:
        document.add_paragraph(_("No open activities."))
    for a in pack.open_activities:
        document.add_heading(a.display_title, level=2)
        document.add_paragraph(_("Status: %(status)s, %(progress)s%%, due %(due)s.") % {
            "status": a.get_status_display(), "progress": a.progress, "due": a.due_date.isoformat()})
        contacts = ", ".join(a.responsible_body.contact_list) or "—"
        document.add_paragraph(_("Owner: %(body)s (contacts: %(contacts)s)") % {
            "body": a.responsible_body.display_name, "contacts": contacts})
        confidence = getattr(a, "confidence", None)
        if confidence is not None:
            # The rating's words, never its colour alone (a printed pack may be black and white).
            document.add_paragraph(_("Delivery confidence: %(rating)s (%(trend)s), assessed %(when)s by %(who)s.") % {
                "rating": confidence.label, "trend": confidence.trend_label,
                "when": confidence.current.assessed_on.isoformat(), "who": confidence.current.assessor_name})
        else:
            document.add_paragraph(_("Delivery confidence: not rated."))
        if getattr(a, "latest_note", None):
            document.add_paragraph(_("Latest report: %(note)s") % {"note": a.latest_note})
    document.add_heading(_("Open risks and issues"), level=1)
    for e in pack.open_risks:
        where = e.activity.display_title if e.activity else _("Priority %(number)s") % {"number": e.priority.number}
        score = f" [{e.score_value}]" if getattr(e, "score_value", None) else ""
        owner = _(" Owner: %(owner)s.") % {"owner": e.owner} if e.owner else ""
        document.add_paragraph(f"{e.get_kind_display()}{score}: {e.statement} ({where}).{owner}", style="List Bullet")
    if not pack.open_risks:
        document.add_paragraph(_("None."))
    document.add_heading(_("Pending decisions"), level=1)
    for e in pack.open_decisions:
        due = _(" Due %(due)s.") % {"due": e.due_date.isoformat()} if e.due_date else ""
        owner = _(" Owner: %(owner)s.") % {"owner": e.owner} if e.owner else ""
        document.add_paragraph(f"{e.statement}.{owner}{due}", style="List Bullet")
    for a in pack.pending_decisions:
        document.add_paragraph(_("Dates of “%(title)s” are not yet a decision.") % {"title": a.display_title},
                               style="List Bullet")
    if not pack.pending_decisions and not pack.open_decisions:
        document.add_paragraph(_("None."))
    document.add_heading(_("Commitments' outcomes"), level=1)
    for row in pack.commitments:
        document.add_paragraph(f"{row.commitment.number}. {row.commitment.display_statement}: {row.state_label}",
                               style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
