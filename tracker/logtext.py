"""Log and history text kept as data (an event code and its parameters) and put into words when read, in the
reader's language. The progress log stores ProgressUpdate.event/event_params; the field history stores the
same as a short JSON change reason. Rows written before this (English sentences) are read through the
legacy patterns below, so old and new rows render alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Event codes. NOTE and PROGRESS_REPORTED say what a report with no field change was; the others are notes
# the tracker itself writes.
NOTE = "note"
PROGRESS_REPORTED = "progress_reported"
SEEDED = "seeded"
MILESTONE_ADDED = "milestone_added"
MILESTONE_DONE = "milestone_done"
MILESTONE_UNDONE = "milestone_undone"
MILESTONE_REMOVED = "milestone_removed"
DELETED = "deleted"
DEMO = "demo"
FLAGGED_AT_RISK = "flagged_at_risk"
IMPORTED = "imported"
ADMIN_BULK = "admin_bulk"
DATES_CONFIRMED = "dates_confirmed"
MILESTONE_CONFIRMED = "milestone_confirmed"
FROM_STOCKTAKE = "from_stocktake"
FLAGGED_WAITING = "flagged_waiting"

EVENTS: tuple[str, ...] = (
    NOTE, PROGRESS_REPORTED, SEEDED, MILESTONE_ADDED, MILESTONE_DONE, MILESTONE_UNDONE, MILESTONE_REMOVED,
    DELETED, DEMO, FLAGGED_AT_RISK, IMPORTED, ADMIN_BULK, DATES_CONFIRMED, MILESTONE_CONFIRMED, FROM_STOCKTAKE,
    FLAGGED_WAITING,
)
#: The history table's change reason column holds this many characters.
REASON_LENGTH = 100


def _param(params: Mapping[str, Any], name: str) -> str:
    """A parameter in the reader's language: `name_ru` for a Russian reader when it was given."""
    if (get_language() or "").startswith("ru") and params.get(f"{name}_ru"):
        return str(params[f"{name}_ru"])
    return str(params.get(name, ""))


def describe(event: str, params: Mapping[str, Any] | None = None) -> str:
    """The event's sentence in the active language; "" for events that need none (a plain note)."""
    params = params or {}
    title = _param(params, "title")
    if event == SEEDED:
        return _("Seeded from the presidency's speech")
    if event == MILESTONE_ADDED:
        return _("Milestone added: %(title)s") % {"title": title}
    if event == MILESTONE_DONE:
        return _("Milestone %(title)s marked done") % {"title": title}
    if event == MILESTONE_UNDONE:
        return _("Milestone %(title)s marked not done") % {"title": title}
    if event == MILESTONE_REMOVED:
        return _("Milestone removed: %(title)s") % {"title": title}
    if event == DELETED:
        return _("Deleted")
    if event == DEMO:
        return _("Demo data: %(text)s") % {"text": _param(params, "text")}
    if event == FLAGGED_AT_RISK:
        return _(
            "Flagged automatically: progress %(progress)s%% is %(behind)s points behind the %(expected)s%% "
            "expected by today, %(days)s days before the due date %(due)s."
        ) % {name: params.get(name, "") for name in ("progress", "behind", "expected", "days", "due")}
    if event == IMPORTED:
        return _("Imported from a file")
    if event == ADMIN_BULK:
        return _("Bulk action in the admin")
    if event == DATES_CONFIRMED:
        return _("Dates confirmed as a decision")
    if event == MILESTONE_CONFIRMED:
        return _("Milestone %(title)s confirmed as a decision") % {"title": title}
    if event == FLAGGED_WAITING:
        if params.get("reason") == "late":
            return _("Flagged automatically: waiting on “%(title)s”, which is late.") % {"title": title}
        return _("Flagged automatically: waiting on “%(title)s”, which is due after this one starts.") % {
            "title": title}
    if event == FROM_STOCKTAKE:
        return _("Agreed at the stocktake “%(title)s”.") % {"title": title}
    return ""


_LEGACY = (
    (re.compile(r"^Seeded from the presidency's speech$"), SEEDED),
    (re.compile(r"^Milestone added: (?P<title>.*)$", re.S), MILESTONE_ADDED),
    (re.compile(r"^Milestone removed: (?P<title>.*)$", re.S), MILESTONE_REMOVED),
    (re.compile(r"^Milestone (?P<title>.*) marked not done$", re.S), MILESTONE_UNDONE),
    (re.compile(r"^Milestone (?P<title>.*) marked done$", re.S), MILESTONE_DONE),
    (re.compile(r"^deleted$"), DELETED),
    (re.compile(r"^Flagged automatically: progress (?P<progress>\d+)% is (?P<behind>\d+) points behind the "
                r"(?P<expected>\d+)% expected by today, (?P<days>-?\d+) days before the due date (?P<due>[\d-]+)\.$"),
     FLAGGED_AT_RISK),
    (re.compile(r"^Imported from a file$"), IMPORTED),
    (re.compile(r"^Bulk action in the admin$"), ADMIN_BULK),
)


def legacy_event(text: str) -> tuple[str, dict[str, str]] | None:
    """The event an English note of the old kind stands for, or None for a person's own note."""
    for pattern, event in _LEGACY:
        match = pattern.match(text)
        if match:
            return event, match.groupdict()
    return None


#: Short names for the parameters a change reason carries (its column holds 100 characters).
_SHORT = {"title": "t", "title_ru": "tr", "text": "x", "text_ru": "xr"}
_LONG = {short: name for name, short in _SHORT.items()}


def _shorten(parts: list[Any]) -> str:
    """JSON of `parts` within the reason column: the longest texts lose a character at a time, so that a
    title in each language keeps an equal share."""
    def dump() -> str:
        return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))

    text = dump()
    while len(text) > REASON_LENGTH:
        params = parts[3]
        candidates = [(len(v), ("p", k)) for k, v in params.items()] + [(len(parts[4]), ("n", None))]
        length, (where, key) = max(candidates, key=lambda item: item[0])
        if length <= 2:
            return text[:REASON_LENGTH]  # only the channel and the actor are left to cut: cannot happen
        value = params[key] if where == "p" else parts[4]
        value = value.rstrip("…")[:-1] + "…"
        if where == "p":
            params[key] = value
        else:
            parts[4] = value
        text = dump()
    return text


def change_reason(
    *, channel: str, actor: str, event: str = "", params: Mapping[str, Any] | None = None, note: str = ""
) -> str:
    """The history record's reason as data: [channel, actor, event, titles, the start of the note]."""
    short = {_SHORT[k]: str(v) for k, v in (params or {}).items() if k in _SHORT}
    return _shorten([channel, actor[:40], event, short, note])


_LEGACY_REASON = re.compile(r"^(?P<c>web|api|admin|system): (?P<a>.*?)(?: — (?P<n>.*))?$", re.S)


def reason_data(raw: str | None) -> dict[str, Any] | None:
    """A stored change reason (JSON, or the older "channel: actor — note" text) as its parts."""
    if not raw:
        return None
    if raw.startswith("["):
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, list) and len(data) == 5:
            channel, actor, event, params, note = data
            return {"channel": channel, "actor": actor, "event": event, "note": note,
                    "params": {_LONG.get(k, k): v for k, v in (params or {}).items()}}
    match = _LEGACY_REASON.match(raw)
    if not match:
        return {"channel": "", "actor": "", "event": "", "params": {}, "note": raw}
    note = match.group("n") or ""
    event, params = legacy_event(note) or ("", {})
    return {"channel": match.group("c"), "actor": match.group("a"), "event": event, "params": params,
            "note": "" if event else note}


def describe_reason(raw: str | None) -> str:
    """A change reason in the reader's language: "Web board · editor — Milestone … marked done"."""
    from tracker.models import Channel

    data = reason_data(raw)
    if data is None:
        return ""
    channel = str(dict(Channel.choices).get(data["channel"], data["channel"]))
    who = " · ".join(part for part in (channel, data["actor"]) if part)
    if data["channel"] == "system" and data["actor"] == "system":
        who = channel  # "System · system" says it twice
    text = describe(data["event"], data["params"]) if data["event"] else ""
    text = "; ".join(part for part in (text, data["note"]) if part)
    return f"{who} — {text}" if who and text else who or text


def api_reason(raw: str | None) -> str | None:
    """The reason in the API's documented form, "channel: actor — note", the note in the reader's language."""
    data = reason_data(raw)
    if data is None:
        return None
    text = describe(data["event"], data["params"]) if data["event"] else ""
    text = "; ".join(part for part in (text, data["note"]) if part)
    who = f"{data['channel']}: {data['actor']}" if data["channel"] else ""
    return f"{who} — {text}" if who and text else who or text or None


# --- Notifications (issue 13): stored as a kind and parameters, worded in the reader's language -----------

def describe_notification(kind: str, params: Mapping[str, Any] | None) -> str:
    """One line for the inbox and the e-mails: what happened to the activity, and who did it when known."""
    from tracker.workflow import Status

    params = dict(params or {})
    by = params.get("by") or ""
    if kind == "mention":
        return _("%(by)s mentioned you in a comment.") % {"by": by or _("Someone")}
    if kind == "comment":
        return _("%(by)s commented.") % {"by": by or _("Someone")}
    if kind == "status":
        labels = dict(Status.choices)
        return _("Status changed from %(old)s to %(new)s.") % {
            "old": labels.get(params.get("from"), params.get("from") or "—"),
            "new": labels.get(params.get("to"), params.get("to") or "—"),
        }
    if kind == "due_date":
        return _("The due date is now %(date)s.") % {"date": _date(params.get("due_date"))}
    if kind == "milestone":
        return _("Milestone “%(title)s” completed.") % {"title": params.get("title") or ""}
    if kind == "document":
        title = params.get("title") or ""
        return _("Document “%(title)s” added.") % {"title": title} if title else _("A document was added.")
    if kind == "overdue":
        return _("The activity is overdue (due %(date)s).") % {"date": _date(params.get("due_date"))}
    if kind == "waiting":
        return _("Waiting on “%(title)s” (due %(date)s).") % {
            "title": params.get("title") or "", "date": _date(params.get("due_date"))}
    if kind == "webhook":
        return _("Webhook subscription “%(name)s” was switched off: %(reason)s") % {
            "name": params.get("name") or "", "reason": params.get("reason") or "—"}
    return kind


def _date(value: Any) -> str:
    import datetime as dt

    from django.utils.formats import date_format

    try:
        return date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value or "—")
