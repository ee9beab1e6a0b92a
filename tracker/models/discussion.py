"""The discussion on an activity (issue 13): comments with one level of replies, their earlier texts, and
who hid one and why. Written only by tracker/services/people.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.validators import multi_line, single_line


class Comment(models.Model):
    # SET_NULL with the title kept: deleting an activity keeps its discussion for the coordinators (admin).
    activity = models.ForeignKey(
        "tracker.Activity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="comments",
    )
    activity_title = models.CharField(_("activity title"), max_length=300, blank=True, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="comments",
    )
    #: Posted through the API with a write key: shown as posted by the system, the key's name kept.
    api_client = models.ForeignKey(
        "tracker.ApiClient", verbose_name=_("API client"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("text"), max_length=10_000, validators=[multi_line])
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentioned"), blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(_("posted"), db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hidden by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("why hidden"), max_length=300, blank=True, validators=[single_line])

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["activity", "parent", "created_at"], name="comment_thread")]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"#{self.pk} {self.body[:40]}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentRevision(models.Model):
    """A comment's text before an edit, kept and viewable."""

    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("text"))
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"))

    class Meta:
        ordering = ["replaced_at", "id"]
        verbose_name = _("earlier comment text")
        verbose_name_plural = _("earlier comment texts")

    def __str__(self) -> str:
        return f"{self.comment_id} {self.replaced_at:%Y-%m-%d %H:%M}"
