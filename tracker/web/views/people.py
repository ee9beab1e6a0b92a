"""People on the web board (issue 13): the activity page's discussion, owner and contributors, watching;
the inbox with its unread badge; notification preferences; saved views. Writes go through
tracker/services/people.py (and services.activity_update for the owner); reads through selectors/people.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tracker import notifications, permissions, selectors, services
from tracker.errors import DomainError, InvalidInput
from tracker.models import Activity, Comment, EmailChoice, NotificationKind, NotificationPreference, SavedView
from tracker.selectors import people as people_selectors
from tracker.validators import plain_digits
from tracker.web.common import actor_for, safe_next, status_for, web_login_required
from tracker.web.forms_people import CommentForm, HideForm, PeopleForm, PreferencesForm, SavedViewForm

# --- The activity page's part --------------------------------------------------------------------------------


def activity_context(request: HttpRequest, activity: Activity, comment_form: CommentForm | None = None,
                     people_form: PeopleForm | None = None) -> dict[str, Any]:
    """What the activity page shows of its people: owner, contributors, watching, the discussion page."""
    actor = actor_for(request)
    page = request.GET.get("comments")
    talk = people_selectors.discussion(activity, page, settings.COMMENTS_PER_PAGE)
    can_edit = permissions.can_edit_activity(actor, activity)
    if can_edit and people_form is None:
        people_form = PeopleForm(activity=activity)
    user = request.user
    return {
        "discussion": talk,
        "comment_form": comment_form or CommentForm(),
        "can_comment": permissions.can_comment(actor, activity),
        "can_hide": permissions.can_hide_comment(actor),
        "my_id": user.pk,
        "is_watching": people_selectors.is_watching(activity, user),
        "contributors": list(activity.contributors.all()),
        "people_form": people_form if can_edit else None,
    }


def _load(pk: int) -> Activity:
    try:
        return selectors.activity_detail(pk)
    except Activity.DoesNotExist:
        raise Http404(_("No such activity.")) from None


def _page(request: HttpRequest, activity: Activity, status: int, **forms: Any) -> HttpResponse:
    from tracker.web.views.activity import _render

    return _render(request, activity, status=status, people_extra=activity_context(request, activity, **forms))


def _to_comment(activity_id: int, comment: Comment | None = None) -> HttpResponse:
    url = reverse("web:activity", args=[activity_id])
    return redirect(f"{url}#comment-{comment.pk}" if comment else f"{url}#discussion")


@require_POST
@web_login_required
def comment_post(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _load(pk)  # 404 for an activity that does not exist (or that the person may not see)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _page(request, activity, 400, comment_form=form)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], activity=activity).first()
        if parent is None:
            form.add_error("body", _("The comment you replied to is gone; post it as a new comment."))
            return _page(request, activity, 400, comment_form=form)
    try:
        comment = services.comment_post(actor=actor_for(request), activity=activity,
                                        body=form.cleaned_data["body"], parent=parent)
    except DomainError as error:
        form.add_domain_error(error)
        return _page(request, activity, status_for(error), comment_form=form)
    messages.success(request, _("Comment posted."))
    return _to_comment(pk, comment)


def _own_comment(pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("activity"), pk=pk)
    if comment.activity_id is None:
        raise Http404(_("No such activity."))
    return comment


@require_POST
@web_login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_edit(actor=actor_for(request), comment=comment, body=form.cleaned_data["body"])
        except DomainError as error:
            messages.error(request, error.message)
            return _page(request, _load(comment.activity_id), status_for(error))
        messages.success(request, _("Comment changed; the earlier text is kept."))
        return _to_comment(comment.activity_id, comment)
    messages.error(request, " ".join(form.errors.get("body", [])) or _("Write something first."))
    return _page(request, _load(comment.activity_id), 400)


@require_POST
@web_login_required
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(pk)
    actor = actor_for(request)
    if not permissions.can_hide_comment(actor):  # asked before the input is read: always 403
        messages.error(request, _("Only coordinators may hide a comment."))
        return _page(request, _load(comment.activity_id), 403)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.comment_hide(actor=actor, comment=comment, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
            return _page(request, _load(comment.activity_id), status_for(error))
        messages.success(request, _("Comment hidden."))
        return _to_comment(comment.activity_id, comment)
    messages.error(request, _("Say why the comment is hidden."))
    return _page(request, _load(comment.activity_id), 400)


@require_GET
@web_login_required
def comment_history(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(pk)
    if comment.hidden_at is not None and not permissions.can_hide_comment(actor_for(request)):
        raise Http404(_("No such comment."))
    return render(request, "tracker/people/comment_history.html", {
        "page": "board", "comment": comment, "revisions": list(comment.revisions.all()),
    })


@require_GET
@web_login_required
def mentionable(request: HttpRequest, pk: int) -> JsonResponse:
    _load(pk)
    return JsonResponse({"people": people_selectors.mentionable(request.GET.get("q", ""))})


@require_POST
@web_login_required
def activity_watch(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _load(pk)
    if request.POST.get("watch") not in ("0", "1"):  # the form sends one of the two; anything else changes nothing
        messages.error(request, _("Choose whether to watch this activity."))
        return _page(request, activity, 400)
    watching = request.POST.get("watch") == "1"
    services.activity_watch(actor=actor_for(request), activity=activity, watching=watching)
    text = _("You now watch this activity.") if watching else _("You no longer watch this activity.")
    messages.success(request, text)
    return redirect("web:activity", pk=pk)


@require_POST
@web_login_required
def activity_people(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner and contributors form: the owner through services.activity_update (versioned, logged)."""
    activity = _load(pk)
    actor = actor_for(request)
    if not permissions.can_edit_activity(actor, activity):
        messages.error(request, _("You have read-only access: ask a coordinator to change this activity."))
        return _page(request, activity, 403)
    form = PeopleForm(request.POST, activity=activity)
    if not form.is_valid():
        return _page(request, activity, 400, people_form=form)
    try:
        if form.cleaned_data["owner"] != activity.owner:
            services.activity_update(actor=actor, activity=activity, changes={"owner": form.cleaned_data["owner"]},
                                     expected_version=form.cleaned_data["expected_version"])
        services.activity_contributors_set(actor=actor, activity=activity,
                                           contributors=form.cleaned_data["contributors"])
    except DomainError as error:
        fresh = _load(pk)
        form.add_domain_error(error)
        return _page(request, fresh, status_for(error), people_form=form)
    messages.success(request, _("Owner and contributors saved."))
    return redirect("web:activity", pk=pk)


# --- The inbox -----------------------------------------------------------------------------------------------

@require_GET
@web_login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = people_selectors.inbox(request.user, request.GET.get("page"), unread_only=unread_only)
    return render(request, "tracker/people/inbox.html", {
        "page": "inbox", "rows": rows, "unread_only": unread_only,
        "unread": notifications.unread_count(request.user),
    })


@require_GET
@web_login_required
def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count, polled by htmx (INBOX_POLL_SECONDS) so it changes without a reload."""
    return render(request, "tracker/people/inbox_badge.html", {
        "unread": notifications.unread_count(request.user), "poll_seconds": settings.INBOX_POLL_SECONDS,
    })


@require_POST
@web_login_required
def inbox_mark(request: HttpRequest) -> HttpResponse:
    read = request.POST.get("read", "1") != "0"
    ids: list[int] | None = None
    if request.POST.get("all") != "1":
        ids = [int(v) for v in request.POST.getlist("id") if plain_digits(v) and len(v) < 19]
    count = services.notifications_mark(actor=actor_for(request), read=read, ids=ids)
    if request.POST.get("all") == "1":
        messages.success(request, _("All marked read."))
    elif count:
        messages.success(request, _("Marked read.") if read else _("Marked unread."))
    target = safe_next(request, request.POST.get("next"), reverse("web:inbox"))
    return redirect(target)


@web_login_required
def inbox_preferences(request: HttpRequest) -> HttpResponse:
    stored = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "email"))
    current = {kind: stored.get(kind, notifications.default_email(kind)) for kind in NotificationKind.values}
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.notification_preferences_set(actor=actor_for(request), choices=form.cleaned_data)
            except DomainError as error:
                form.add_domain_error(error)
                status = status_for(error)
            else:
                messages.success(request, _("Preferences saved."))
                return redirect("web:inbox-preferences")
        else:
            status = 400
    else:
        form = PreferencesForm(initial=current)
    return render(request, "tracker/people/preferences.html", {
        "page": "inbox", "form": form, "choices": EmailChoice.choices}, status=status)


# --- Saved views ---------------------------------------------------------------------------------------------

_VIEW_PAGES = {"board": "web:board", "timeline": "web:timeline", "calendar": "web:calendar"}


def saved_views_context(request: HttpRequest, page: str) -> dict[str, Any]:
    """The saved views menu of the board, timeline and calendar: one query."""
    return {
        "saved_views": people_selectors.saved_views_for(request.user),
        "saved_view_page": page,
        "saved_view_query": services.people.clean_view_query(request.GET.urlencode()),
        "saved_view_base": reverse(_VIEW_PAGES[page]),
    }


@require_POST
@web_login_required
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    page = request.POST.get("page") if request.POST.get("page") in _VIEW_PAGES else "board"
    back = reverse(_VIEW_PAGES[page])
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            view = services.saved_view_create(actor=actor_for(request), name=form.cleaned_data["name"],
                                              query=query, shared=form.cleaned_data["shared"])
        except InvalidInput as error:
            messages.error(request, error.message)
            return redirect(f"{back}?{services.people.clean_view_query(query)}")
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(f"{back}?{view.query}" if view.query else back)
    messages.error(request, " ".join(form.errors.get("name", [])) or _("Give the view a name."))
    return redirect(f"{back}?{services.people.clean_view_query(query)}")


@require_POST
@web_login_required
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk)
    try:
        services.saved_view_delete(actor=actor_for(request), view=view)
    except DomainError as error:
        return render(request, "tracker/forbidden.html", {"message": error.message, "back": reverse("web:board")},
                      status=status_for(error))
    messages.success(request, _("View deleted."))
    return redirect("web:board")



