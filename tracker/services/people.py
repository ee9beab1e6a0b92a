"""People on the board (issue 13): comments, watching, contributors, the inbox's read marks, notification
preferences and saved views. Keyword-only, one transaction each, the permission asked inside
(tracker/permissions.py); a posted comment writes its outbox event, from which the notifications task
(tracker/notifications.py) tells the watchers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tracker import clock, dbretry, events, permissions, richtext
from tracker.errors import InvalidInput, NotPermitted
from tracker.models import (
    Activity,
    Comment,
    CommentRevision,
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    SavedView,
    WatchOptOut,
)
from tracker.permissions import Actor
from tracker.validators import multi_line, single_line

COMMENT_MAX_LENGTH = 10_000
HIDE_REASON_MAX_LENGTH = 300
SAVED_VIEW_NAME_MAX_LENGTH = 100
SAVED_VIEW_QUERY_MAX_LENGTH = 1000
#: The filters a saved view keeps (tracker/filters.ActivityFilter's); anything else in a query is dropped.
SAVED_VIEW_PARAMETERS = frozenset({
    "search", "priority", "status", "kind", "body", "state", "overdue", "owner", "due_after", "due_before",
    "ordering", "presidency",
})


def readers() -> QuerySet:
    """The people who may see activities (and so be mentioned): active accounts; role_of refines it."""
    return get_user_model().objects.filter(is_active=True).select_related("staff_profile")


def _check_text(value: Any, *, name: str, max_length: int, multiline: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidInput({name: [_("Send text.")]})
    text = value.strip()
    if not text:
        raise InvalidInput({name: [_("Write something first.")]})
    if len(text) > max_length:
        raise InvalidInput({name: [_("At most %(max)s characters, please.") % {"max": max_length}]})
    try:
        (multi_line if multiline else single_line)(text)
    except ValidationError as exc:
        raise InvalidInput({name: list(exc.messages)}) from None
    return text


def _mentioned_users(text: str) -> list:
    """Known people named with @username who may see the activity; an unknown name stays plain text."""
    names = richtext.mentioned_names(text)
    if not names:
        return []
    found = {user.username.lower(): user for user in readers().filter(username__in=names)}
    wanted = [found[name.lower()] for name in names if name.lower() in found]
    return [user for user in wanted if permissions.role_of(user) is not None]


# --- Comments -----------------------------------------------------------------------------------------------

@dbretry.atomic
def comment_post(*, actor: Actor, activity: Activity, body: Any, parent: Comment | None = None) -> Comment:
    """A comment (or a reply: one level; a reply to a reply joins its thread). The author and the mentioned
    people start watching the activity; the event tells the watchers (tracker/notifications.py)."""
    permissions.ensure_can_comment(actor, activity)
    text = _check_text(body, name="body", max_length=COMMENT_MAX_LENGTH)
    if parent is not None:
        if parent.activity_id != activity.pk:
            raise InvalidInput({"parent": [_("Reply to a comment on this activity.")]})
        if parent.parent_id is not None:
            parent = parent.parent
    mentioned = _mentioned_users(text)
    comment = Comment.objects.create(
        activity=activity, activity_title=activity.title[:300], parent=parent, author=actor.user,
        api_client=actor.api_client, body=text, created_at=clock.now(),
    )
    if mentioned:
        comment.mentions.set(mentioned)
    _watch_automatically(activity, [*([actor.user] if actor.user is not None else []), *mentioned])
    events.emit(events.COMMENT_POSTED, activity, {
        "comment": comment.pk,
        "parent": parent.pk if parent else None,
        "author": actor.user.pk if actor.user is not None else None,
        "by": actor.name,
        "mentions": [user.pk for user in mentioned],
    })
    return comment


@dbretry.atomic
def comment_edit(*, actor: Actor, comment: Comment, body: Any) -> Comment:
    """The author's correction within the edit window; the earlier text is kept (CommentRevision)."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    permissions.ensure_can_edit_comment(actor, locked)
    text = _check_text(body, name="body", max_length=COMMENT_MAX_LENGTH)
    if text == locked.body:
        return locked
    now = clock.now()
    CommentRevision.objects.create(comment=locked, body=locked.body, written_at=locked.edited_at or locked.created_at,
                                   replaced_at=now)
    locked.body, locked.edited_at = text, now
    locked.save(update_fields=["body", "edited_at"])
    before = set(locked.mentions.values_list("pk", flat=True))
    mentioned = _mentioned_users(text)
    locked.mentions.set(mentioned)
    added = [user for user in mentioned if user.pk not in before]
    if added and locked.activity_id:
        # Only the people the edit names anew are told (once: notifications.py skips anyone told already).
        _watch_automatically(locked.activity, added)
        events.emit(events.COMMENT_MENTIONED, locked.activity, {
            "comment": locked.pk, "author": locked.author_id, "by": actor.name,
            "mentions": [user.pk for user in added],
        })
    return locked


@dbretry.atomic
def comment_hide(*, actor: Actor, comment: Comment, reason: Any) -> Comment:
    """A coordinator hides a comment: kept, with who and why."""
    permissions.ensure_can_hide_comment(actor)
    why = _check_text(reason, name="reason", max_length=HIDE_REASON_MAX_LENGTH, multiline=False)
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.hidden_at is None:
        locked.hidden_at, locked.hidden_by, locked.hidden_reason = clock.now(), actor.user, why
        locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return locked


# --- Watching and contributors --------------------------------------------------------------------------------

def _watch_automatically(activity: Activity, users: list) -> None:
    """Commenters and mentioned people start watching, unless they said they would not (WatchOptOut)."""
    if not users:
        return
    stopped = set(WatchOptOut.objects.filter(activity=activity, user__in=users).values_list("user_id", flat=True))
    wanted = [user for user in users if user.pk not in stopped]
    if wanted:
        activity.watchers.add(*wanted)


@transaction.atomic
def activity_watch(*, actor: Actor, activity: Activity, watching: bool) -> bool:
    """Anyone who can see an activity may watch or stop watching it, owners and contributors too: stopping
    leaves a WatchOptOut that the automatic watching yields to, until they watch again. Returns whether
    they now watch (selectors/people.watcher_ids is the rule)."""
    if not permissions.can_watch(actor):
        raise NotPermitted(_("Only people signed in may watch an activity."))
    if watching:
        WatchOptOut.objects.filter(activity=activity, user=actor.user).delete()
        activity.watchers.add(actor.user)
    else:
        activity.watchers.remove(actor.user)
        WatchOptOut.objects.get_or_create(activity=activity, user=actor.user, defaults={"created_at": clock.now()})
    return watching


@transaction.atomic
def activity_contributors_set(*, actor: Actor, activity: Activity, contributors: Iterable[Any]) -> list:
    """The people working on an activity besides its owner; those who edit it may name them."""
    permissions.ensure_can_edit_activity(actor, activity)
    people = list(contributors)
    inactive = [user for user in people if not user.is_active]
    if inactive:
        raise InvalidInput({"contributors": [_("%(name)s has no access.") % {"name": inactive[0].get_username()}]})
    activity.contributors.set(people)
    return people


# --- The inbox ----------------------------------------------------------------------------------------------

@transaction.atomic
def notifications_mark(*, actor: Actor, read: bool, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read or unread: the ones named, or (ids None) all of them."""
    if actor.user is None:
        raise NotPermitted(_("Only people have an inbox."))
    rows = Notification.objects.filter(recipient=actor.user)
    if ids is not None:
        wanted = [pk for pk in ids if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63]
        rows = rows.filter(pk__in=wanted)
    if read:
        return rows.filter(read_at__isnull=True).update(read_at=clock.now())
    return rows.filter(read_at__isnull=False).update(read_at=None)


@transaction.atomic
def notification_preferences_set(*, actor: Actor, choices: Mapping[str, str]) -> None:
    """How the actor hears of each kind besides the inbox: at once, in the daily digest, or never."""
    if actor.user is None:
        raise NotPermitted(_("Only people have notification preferences."))
    kinds, emails = set(NotificationKind.values), set(EmailChoice.values)
    errors = {kind: [_("Unknown kind.")] for kind in choices if kind not in kinds}
    errors |= {kind: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(EmailChoice.values)}]
               for kind, value in choices.items() if kind in kinds and value not in emails}
    if errors:
        raise InvalidInput(errors)
    for kind, value in choices.items():
        NotificationPreference.objects.update_or_create(user=actor.user, kind=kind, defaults={"email": value})


# --- Saved views --------------------------------------------------------------------------------------------

def clean_view_query(query: str) -> str:
    """Only the board's filters, re-encoded: a saved view never carries anything else into a link."""
    pairs = [(key, value) for key, value in parse_qsl(query or "", keep_blank_values=False)
             if key in SAVED_VIEW_PARAMETERS]
    return urlencode(pairs)


@transaction.atomic
def saved_view_create(*, actor: Actor, name: Any, query: Any, shared: bool = False) -> SavedView:
    if actor.user is None or not actor.can_read:
        raise NotPermitted(_("Only people signed in may save views."))
    clean_name = _check_text(name, name="name", max_length=SAVED_VIEW_NAME_MAX_LENGTH, multiline=False)
    if not isinstance(query, str):
        raise InvalidInput({"query": [_("Send text.")]})
    if len(query) > SAVED_VIEW_QUERY_MAX_LENGTH:
        raise InvalidInput({"query": [_("Too many filters to save; remove some.")]})
    try:
        single_line(query)
    except ValidationError as exc:
        raise InvalidInput({"query": list(exc.messages)}) from None
    clean_query = clean_view_query(query)
    if len(clean_query) > SAVED_VIEW_QUERY_MAX_LENGTH:
        raise InvalidInput({"query": [_("Too many filters to save; remove some.")]})
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=actor.user, name=clean_name, query=clean_query, shared=bool(shared), created_at=clock.now()
            )
    except IntegrityError:
        raise InvalidInput({"name": [_("You already have a view with this name.")]}) from None


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Its owner (or a coordinator, for a shared view nobody looks after) removes it."""
    moderator = view.shared and permissions.can_manage_agenda(actor)
    if actor.user is None or (view.owner_id != actor.user.pk and not moderator):
        raise NotPermitted(_("Only its owner may delete a saved view."))
    view.delete()
