"""Who may do what: roles, API client scopes and the object rules, shared by every door.

The web board, the API, the admin and the background jobs all describe the caller as an `Actor` and ask
the functions below. Services call the `ensure_*` functions themselves, so no door can forget them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from tracker import clock
from tracker.errors import InvalidInput, NotPermitted
from tracker.models import Activity, ApiClient, Channel, Role, StaffProfile, WebhookSubscription


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    """The user's role on the agenda; None for anonymous or inactive users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.COORDINATOR
    profile = _profile(user)
    if profile is None:
        return Role.VIEWER
    if profile.access_until is not None and clock.today() > profile.access_until:
        return None  # a limited access (e.g. the incoming presidency's people before their term) has run out
    return profile.role


def _profile(user: AbstractBaseUser) -> StaffProfile | None:
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


@dataclass(frozen=True)
class Actor:
    """Whoever is making a change: a staff member, another system's API client, or the tracker itself."""

    channel: str
    user: AbstractBaseUser | None = None
    api_client: ApiClient | None = None
    role: str | None = None
    #: Bodies whose activities this actor may write; None means every body.
    body_ids: frozenset[int] | None = field(default=None)

    @classmethod
    def for_user(cls, user: AbstractBaseUser, channel: str = Channel.WEB) -> Actor:
        role = role_of(user)
        body_ids: frozenset[int] | None = None
        if role == Role.EDITOR:
            profile = _profile(user)
            body_ids = frozenset({profile.body_id}) if profile and profile.body_id else frozenset()
        elif role != Role.COORDINATOR:
            body_ids = frozenset()
        return cls(channel=channel, user=user, role=role, body_ids=body_ids)

    @classmethod
    def for_client(cls, client: ApiClient) -> Actor:
        body_ids: frozenset[int] | None
        if not client.can_write:
            body_ids = frozenset()
        elif client.all_bodies:
            body_ids = None
        else:
            # An empty set stays empty: a limited key whose bodies are gone writes nothing.
            # Read with the key when the authentication did (limited_body_ids), else asked for here.
            known = getattr(client, "limited_body_ids", None)
            body_ids = frozenset(known if known is not None else client.bodies.values_list("pk", flat=True))
        return cls(channel=Channel.API, api_client=client, body_ids=body_ids, role=None)

    @classmethod
    def system(cls) -> Actor:
        return cls(channel=Channel.SYSTEM, body_ids=None, role=Role.COORDINATOR)

    @property
    def name(self) -> str:
        if self.api_client is not None:
            return self.api_client.name
        if self.user is not None:
            return self.user.get_username()
        return "system"

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def in_person(self) -> bool:
        """A person signed in: not another system's key, nor the tracker itself (decisions someone answers for)."""
        return self.user is not None and self.api_client is None

    @property
    def can_read(self) -> bool:
        if self.api_client is not None:
            return self.api_client.is_active()
        return self.role is not None

    @property
    def write_scope(self) -> str:
        """What this actor may write, as a short key: actors with equal scopes see the same edit controls."""
        if not self.can_read:
            return "none"
        if self.body_ids is None:
            return "all"
        return "bodies:" + ",".join(str(pk) for pk in sorted(self.body_ids))

    def may_write_body(self, body_id: int | None) -> bool:
        if not self.can_read:
            return False
        if self.body_ids is None:
            return True
        return body_id in self.body_ids


# --- Questions every door asks --------------------------------------------------------------------------

def can_edit_activity(actor: Actor, activity: Activity) -> bool:
    return actor.may_write_body(activity.responsible_body_id)


def can_create_activity(actor: Actor, responsible_body_id: int | None = None) -> bool:
    """Without a body: may this actor create activities at all? With one: for that body?"""
    if responsible_body_id is None:
        return actor.can_read and (actor.body_ids is None or bool(actor.body_ids))
    return actor.may_write_body(responsible_body_id)


def can_delete_activity(actor: Actor, activity: Activity) -> bool:
    return actor.is_coordinator and actor.api_client is None


def can_confirm_dates(actor: Actor, activity: Activity) -> bool:
    """A confirmed date is a decision someone answers for: a person who may edit the activity, not another
    system's key nor the tracker itself."""
    return actor.in_person and can_edit_activity(actor, activity)


def can_manage_agenda(actor: Actor) -> bool:
    """Presidencies, priorities, reference data, webhooks and API clients are the coordinators' to change."""
    return actor.is_coordinator and actor.api_client is None


def can_manage_webhooks(actor: Actor) -> bool:
    """Coordinators manage every subscription; a key with the `webhooks` scope manages its own."""
    if can_manage_agenda(actor):
        return True
    return actor.api_client is not None and actor.api_client.manage_webhooks


def can_manage_subscription(actor: Actor, subscription: WebhookSubscription) -> bool:
    if can_manage_agenda(actor):
        return True
    client = actor.api_client
    return client is not None and client.manage_webhooks and subscription.owner_id == client.pk


# --- The same questions, raising the domain error services use --------------------------------------------

def ensure_can_manage_subscription(actor: Actor, subscription: WebhookSubscription | None = None) -> None:
    allowed = can_manage_webhooks(actor) if subscription is None else can_manage_subscription(actor, subscription)
    if not allowed:
        raise NotPermitted(_("Only coordinators, or the API key that made a subscription, may manage it."))


def ensure_can_edit_activity(actor: Actor, activity: Activity) -> None:
    if can_edit_activity(actor, activity):
        return
    if actor.can_read and actor.body_ids:
        raise NotPermitted(_("You may not change this activity: another body is responsible for it."))
    raise NotPermitted(_("You have read-only access: ask a coordinator to change this activity."))


def ensure_can_confirm_dates(actor: Actor, activity: Activity) -> None:
    if can_confirm_dates(actor, activity):
        return
    if actor.user is None:
        raise NotPermitted(_("Only staff signed in as a person may confirm a date."))
    ensure_can_edit_activity(actor, activity)
    raise NotPermitted(_("You may not confirm this activity's dates."))


def ensure_can_create_activity(actor: Actor, responsible_body_id: int | None) -> None:
    if not can_create_activity(actor, responsible_body_id):
        raise NotPermitted(
            _("You may not create activities for this body."), field="responsible_body"
        )


def ensure_can_delete_activity(actor: Actor, activity: Activity) -> None:
    if not can_delete_activity(actor, activity):
        raise NotPermitted(_("Only coordinators may delete activities."))


# --- The secretariat's rhythm: confidence assessments, the risk log, stocktakes ---------------------------

def can_assess_activity(actor: Actor, activity: Activity) -> bool:
    """A rating is someone's judgement: a person who edits the activity's body, or a coordinator; no API key."""
    return actor.in_person and can_edit_activity(actor, activity)


def can_assess_priority(actor: Actor) -> bool:
    return actor.user is not None and can_manage_agenda(actor)


def can_run_stocktakes(actor: Actor) -> bool:
    return actor.user is not None and can_manage_agenda(actor)


def can_edit_raid(actor: Actor, *, activity: Activity | None) -> bool:
    """An activity's risks are its editors' (and coordinators'); a priority's own risks are the coordinators'."""
    if activity is not None:
        return can_edit_activity(actor, activity)
    return actor.is_coordinator


def ensure_can_assess_activity(actor: Actor, activity: Activity) -> None:
    if can_assess_activity(actor, activity):
        return
    if actor.user is None:
        raise NotPermitted(_("Only staff signed in as a person may assess delivery confidence."))
    ensure_can_edit_activity(actor, activity)
    raise NotPermitted(_("You may not assess this activity."))


def ensure_can_assess_priority(actor: Actor) -> None:
    if not can_assess_priority(actor):
        raise NotPermitted(_("Only coordinators may assess a priority."))


def ensure_can_run_stocktakes(actor: Actor) -> None:
    if not can_run_stocktakes(actor):
        raise NotPermitted(_("Only coordinators may run stocktakes."))


def ensure_can_edit_raid(actor: Actor, *, activity: Activity | None) -> None:
    if can_edit_raid(actor, activity=activity):
        return
    if activity is not None:
        ensure_can_edit_activity(actor, activity)
    raise NotPermitted(_("Only coordinators may change a priority's risk log."))
# --- Commitments (tracker/services/commitments.py) ----------------------------------------------------------

def can_sign_off_outcome(actor: Actor) -> bool:
    """An outcome is the presidency's answer to "declared versus delivered": a coordinator signs it, in person."""
    return actor.is_coordinator and actor.in_person


def can_manage_commitments(actor: Actor) -> bool:
    """Sources, commitments and their links to activities are the agenda's structure: the coordinators'."""
    return can_manage_agenda(actor)


def ensure_can_sign_off_outcome(actor: Actor) -> None:
    if not can_sign_off_outcome(actor):
        raise NotPermitted(_("Only coordinators may sign off a commitment's outcome."), field="outcome")


def ensure_can_manage_commitments(actor: Actor) -> None:
    if not can_manage_commitments(actor):
        raise NotPermitted(_("Only coordinators may change sources and commitments."))


def can_hand_over(actor: Actor) -> bool:
    """Handing open work to the next presidency is the coordinators' decision, taken in person."""
    return actor.is_coordinator and actor.in_person


def ensure_can_hand_over(actor: Actor) -> None:
    if not can_hand_over(actor):
        raise NotPermitted(_("Only coordinators may hand activities over to the next presidency."))


# --- Documents (tracker/services/documents.py) -------------------------------------------------------------

def can_upload_document(actor: Actor, *, activity: Activity | None = None, for_commitments: bool = False) -> bool:
    """An activity's files are its editors' to add (people or write keys, as for any edit); a source's
    official text and an outcome's evidence belong with the commitments, so the coordinators add them."""
    if for_commitments:
        return actor.user is not None and can_manage_commitments(actor)
    return activity is not None and can_edit_activity(actor, activity)


def can_read_document(actor: Actor, *, activity_deleted: bool) -> bool:
    """Everyone who reads the board reads its documents; those of a deleted activity are history, kept for
    the coordinators."""
    if activity_deleted:
        return actor.is_coordinator and actor.can_read
    return actor.can_read


def ensure_can_upload_document(actor: Actor, *, activity: Activity | None = None,
                               for_commitments: bool = False) -> None:
    if can_upload_document(actor, activity=activity, for_commitments=for_commitments):
        return
    if for_commitments:
        raise NotPermitted(_("Only coordinators may attach documents to sources and outcomes."), field="file")
    if activity is None:
        raise NotPermitted(_("This activity has been deleted: its documents can no longer change."), field="file")
    ensure_can_edit_activity(actor, activity)
# --- People on the board: owners, comments, watchers (issue 13; tracker/services/people.py) ----------------

#: How long an author may still change a comment after posting it.
COMMENT_EDIT_MINUTES = 15


def can_own_activity(user: AbstractBaseUser | None, responsible_body_id: int | None) -> bool:
    """An owner answers for the activity, so must be able to edit it: an editor of its body or a coordinator."""
    if user is None:
        return False
    return Actor.for_user(user).may_write_body(responsible_body_id) and role_of(user) in (
        Role.EDITOR, Role.COORDINATOR)


def ensure_can_own_activity(user: AbstractBaseUser | None, responsible_body_id: int | None) -> None:
    # The choice of person is the bad input (400 naming `owner`), not the caller's right (403).
    if user is not None and not can_own_activity(user, responsible_body_id):
        raise InvalidInput({"owner": [
            _("%(name)s may not edit this activity, so cannot own it: choose an editor of its body or a "
              "coordinator.") % {"name": user.get_username()}]})


def can_comment(actor: Actor, activity: Activity) -> bool:
    """Anyone who may see an activity may discuss it; an API key needs the write scope to post."""
    if actor.api_client is not None:
        return actor.api_client.is_active() and actor.api_client.can_write
    return actor.can_read


def ensure_can_comment(actor: Actor, activity: Activity) -> None:
    if not can_comment(actor, activity):
        raise NotPermitted(_("You may not comment on this activity."))


def can_edit_comment(actor: Actor, comment) -> bool:
    """The author, for COMMENT_EDIT_MINUTES after posting, while the comment is not hidden."""
    import datetime as dt

    return (
        actor.user is not None and actor.can_read and comment.author_id == actor.user.pk
        and comment.hidden_at is None
        and clock.now() - comment.created_at <= dt.timedelta(minutes=COMMENT_EDIT_MINUTES)
    )


def ensure_can_edit_comment(actor: Actor, comment) -> None:
    if can_edit_comment(actor, comment):
        return
    if actor.user is not None and comment.author_id == actor.user.pk and comment.hidden_at is None:
        raise NotPermitted(_("A comment may be changed for %(minutes)s minutes after posting; post a new one.")
                           % {"minutes": COMMENT_EDIT_MINUTES})
    raise NotPermitted(_("Only the author may change a comment."))


def can_hide_comment(actor: Actor) -> bool:
    """Hiding is moderation: a coordinator, in person."""
    return actor.is_coordinator and actor.in_person


def ensure_can_hide_comment(actor: Actor) -> None:
    if not can_hide_comment(actor):
        raise NotPermitted(_("Only coordinators may hide a comment."))


def can_watch(actor: Actor) -> bool:
    return actor.user is not None and actor.can_read
