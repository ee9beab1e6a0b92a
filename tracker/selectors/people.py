"""Reads for people on the board (issue 13): an activity's discussion page by page, the inbox, saved views
and the people who may be mentioned; each in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from tracker.models import Activity, Comment, Notification, SavedView, WatchOptOut


@dataclass
class Discussion:
    threads: Page  # top-level comments of this page, each with `replies_list`
    total: int


def _comment_rows() -> QuerySet[Comment]:
    mentions = Prefetch("mentions", queryset=get_user_model().objects.only("id", "username"))
    return (Comment.objects.select_related("author", "api_client", "hidden_by")
            .annotate(revision_count=Count("revisions")).prefetch_related(mentions))


def discussion(activity: Activity, page: Any = None, per_page: int = 20) -> Discussion:
    """The activity's threads, newest last, `per_page` top-level comments a page (the last page unless one is
    asked for, so the newest are in view), replies with their thread. Five queries for any number of comments:
    the threads' ids, the page, its mentions, the replies, their mentions (one when there are none)."""
    threads = Comment.objects.filter(activity=activity, parent__isnull=True).order_by("created_at", "id")
    # The threads' ids in one query (integers only, even for thousands of comments): the count and the page
    # come from it, not from two more queries.
    paginator = Paginator(list(threads.values_list("pk", flat=True)), per_page)
    number = page if page not in (None, "") else paginator.num_pages
    chosen = paginator.get_page(number)
    ids = list(chosen.object_list)
    rows = {c.pk: c for c in _comment_rows().filter(pk__in=ids)} if ids else {}
    replies: dict[int, list[Comment]] = {pk: [] for pk in ids}
    if ids:
        for reply in _comment_rows().filter(parent_id__in=ids).order_by("created_at", "id"):
            replies[reply.parent_id].append(reply)
    ordered = []
    for pk in ids:
        comment = rows[pk]
        comment.replies_list = replies[pk]
        ordered.append(comment)
    chosen.object_list = ordered
    return Discussion(threads=chosen, total=paginator.count)


def mentionable(prefix: str, limit: int = 10) -> list[dict[str, str]]:
    """People who may see activities whose username or name starts with `prefix`: the @ autocompletion."""
    prefix = (prefix or "").strip().lstrip("@")[:150]
    people = get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(staff_profile__isnull=False))
    if prefix:
        people = people.filter(Q(username__istartswith=prefix) | Q(first_name__istartswith=prefix)
                               | Q(last_name__istartswith=prefix))
    return [{"username": u.username, "name": u.get_full_name()} for u in people.order_by("username")[:limit]]


def inbox(user: Any, page: Any = None, per_page: int = 50, unread_only: bool = False) -> Page:
    """The person's notifications, newest first, a page at a time: two queries (count, page)."""
    rows = Notification.objects.filter(recipient=user).select_related(None).order_by("-created_at", "-id")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return Paginator(rows, per_page).get_page(page)


def saved_views_for(user: Any) -> list[SavedView]:
    """The person's own views and everyone's shared ones: one query."""
    return list(SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner").order_by("name", "id"))


# --- Watching: the one rule (services/people.activity_watch writes it, notifications.py reads it) ---------------

def watcher_ids(activity: Activity) -> set[int]:
    """Who watches an activity: those who chose to (and the commenters and mentioned people, who are added
    to its watchers), its owner and its contributors, less anyone who stopped watching (three queries)."""
    ids = set(activity.watchers.values_list("pk", flat=True)) | set(activity.contributors.values_list("pk", flat=True))
    if activity.owner_id:
        ids.add(activity.owner_id)
    return ids - set(WatchOptOut.objects.filter(activity=activity).values_list("user_id", flat=True))


def is_watching(activity: Activity, user: Any) -> bool:
    """Whether `user` is among watcher_ids(activity), in one query (the activity page's toggle)."""
    if user is None or user.pk is None:
        return False
    watches = Q(owner=user) | Q(watchers=user) | Q(contributors=user)
    return (Activity.objects.filter(watches, pk=activity.pk)
            .exclude(pk__in=WatchOptOut.objects.filter(user=user).values("activity_id")).exists())
