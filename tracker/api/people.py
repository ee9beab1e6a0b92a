"""The API of an activity's discussion (issue 13): read with a read key, post with a write key (shown as
posted by the system, the key's name kept). Reads are paginated; writes go through services.comment_post."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import richtext, services
from tracker.api.access import actor_for
from tracker.api.idempotency import idempotent
from tracker.api.nested import UnderActivity
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.api.serializers import CachedRelatedField, StrictCharField, StrictInputMixin
from tracker.models import Comment

ACTIVITY_PK = OpenApiParameter("activity_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                               description="The activity's id.")


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text=_("The author's username; null when posted by the system."))
    posted_by_system = serializers.SerializerMethodField(help_text=_("Posted through the API with a write key."))
    body = serializers.SerializerMethodField(help_text=_("The Markdown text; empty when hidden."))
    html = serializers.SerializerMethodField(help_text=_("The text as sanitised HTML; empty when hidden."))
    mentions = serializers.SerializerMethodField(help_text=_("Usernames of the people mentioned."))
    hidden = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "activity", "parent", "author", "posted_by_system", "body", "html", "mentions",
                  "created_at", "edited_at", "hidden"]
        read_only_fields = fields

    def get_author(self, comment: Comment) -> str | None:
        return comment.author.get_username() if comment.author_id else None

    def get_posted_by_system(self, comment: Comment) -> bool:
        return comment.author_id is None

    def get_body(self, comment: Comment) -> str:
        return "" if comment.hidden_at else comment.body

    def get_html(self, comment: Comment) -> str:
        return "" if comment.hidden_at else str(richtext.render(comment.body, self.get_mentions(comment)))

    def get_mentions(self, comment: Comment) -> list[str]:
        return [user.username for user in comment.mentions.all()]

    def get_hidden(self, comment: Comment) -> bool:
        return comment.hidden_at is not None


class CommentWriteSerializer(StrictInputMixin, serializers.Serializer):
    body = StrictCharField(max_length=services.people.COMMENT_MAX_LENGTH,
                           help_text=_("Markdown text; @username mentions a person."))
    parent = CachedRelatedField(queryset=Comment.objects.all(), required=False, allow_null=True,
                                help_text=_("The comment replied to (one level)."))


@extend_schema_view(
    list=extend_schema(summary="An activity's comments, oldest first", tags=["comments"], parameters=[ACTIVITY_PK]),
    create=extend_schema(summary="Post a comment (shown as posted by the system)", tags=["comments"],
                         parameters=[ACTIVITY_PK, IDEMPOTENCY_KEY], request=CommentWriteSerializer,
                         responses={201: CommentSerializer}),
)
class CommentViewSet(UnderActivity, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CommentSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return (Comment.objects.filter(activity=self._activity()).select_related("author")
                .prefetch_related("mentions").order_by("created_at", "id"))

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self._activity()
        serializer = CommentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_post(actor=actor_for(request), activity=activity, **serializer.validated_data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
