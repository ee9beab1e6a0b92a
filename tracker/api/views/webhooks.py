"""Webhook subscriptions: coordinators manage every one; an API key with the `webhooks` scope manages its
own (and sees no other). Deliveries and their attempts, redelivery and secret rotation hang off each."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from tracker import audit, permissions, services
from tracker.api import serializers as s
from tracker.api.access import WebhookManagers, actor_for
from tracker.api.idempotency import idempotent
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.models import WebhookDelivery, WebhookSubscription

_TAGS = ["webhooks"]


@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions (coordinators: all; a webhooks-scope key: its own)",
                       tags=_TAGS),
    retrieve=extend_schema(summary="One webhook subscription", tags=_TAGS),
    create=extend_schema(summary="Subscribe an endpoint to events", tags=_TAGS,
                         parameters=[IDEMPOTENCY_KEY], responses={201: s.WebhookSubscriptionCreatedSerializer},
                         description="The answer holds the signing secret; it is never shown again. Made with "
                                     "an API key (webhooks scope), the subscription belongs to that key."),
    partial_update=extend_schema(summary="Change a webhook subscription", tags=_TAGS,
                                 description="Switching it back on (`active: true`) sends nothing it missed; ask "
                                             "for that with the redeliver action."),
    destroy=extend_schema(summary="Remove a webhook subscription", tags=_TAGS),
)
class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.WebhookSubscriptionSerializer
    permission_classes = [WebhookManagers]
    filter_backends: list = []
    lookup_value_converter = "int"
    queryset = WebhookSubscription.objects.order_by("name", "id")

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        actor = actor_for(self.request)
        queryset = super().get_queryset()
        if actor is not None and permissions.can_manage_agenda(actor):
            return queryset
        # A key sees only its own: another's subscription answers 404, as if it did not exist.
        return queryset.filter(owner=actor.api_client if actor is not None else None)

    def _by(self) -> dict[str, Any]:
        actor = actor_for(self.request)
        user = self.request.user if getattr(self.request.user, "is_authenticated", False) else None
        return {"via": audit.Via.API, "user": user, "by": actor}

    def _subscription_and_input(self, serializer_class: type[Serializer]) -> tuple[WebhookSubscription, dict]:
        """An action's subscription (404 when it is not the caller's, before the body is read), then its
        body checked against the action's serializer (400)."""
        subscription = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return subscription, serializer.validated_data

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_create(values=serializer.validated_data, **self._by())
        return Response(s.WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.webhook_subscription_update(subscription=subscription, changes=serializer.validated_data,
                                             **self._by())
        return Response(self.get_serializer(subscription).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        services.webhook_subscription_delete(subscription=subscription, **self._by())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Rotate the signing secret, with an overlap", tags=_TAGS, parameters=[IDEMPOTENCY_KEY],
                   request=s.SecretRotationSerializer, responses={200: s.RotatedSecretSerializer},
                   description="A new secret, shown once. Until previous_secret_expires_at every delivery carries "
                               "two signatures (new, then old), so the receiver can switch at any moment.")
    @action(detail=True, methods=["post"], url_path="rotate-secret", serializer_class=s.SecretRotationSerializer)
    @idempotent
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription, data = self._subscription_and_input(s.SecretRotationSerializer)
        secret = services.webhook_secret_rotate(
            subscription=subscription, overlap_hours=data.get("overlap_hours"), **self._by()
        )
        return Response(s.RotatedSecretSerializer(
            {"secret": secret, "previous_secret_expires_at": subscription.previous_secret_expires_at}).data)

    @extend_schema(summary="The subscription's deliveries and their attempts, newest first", tags=_TAGS,
                   parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(WebhookDelivery.Status.values))],
                   responses={200: s.WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="deliveries", serializer_class=s.WebhookDeliverySerializer)
    def deliveries(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        rows = (WebhookDelivery.objects.filter(subscription=subscription).select_related("event")
                .defer("event__body", "event__payload").prefetch_related("attempt_log").order_by("-created_at", "-id"))
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in WebhookDelivery.Status.values:
                choices = ", ".join(WebhookDelivery.Status.values)
                raise exceptions.ValidationError({"status": [f"Choose from: {choices}."]})
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(summary="Send deliveries again: chosen ones, or a range of the events feed", tags=_TAGS,
                   parameters=[IDEMPOTENCY_KEY], request=s.RedeliverySerializer,
                   responses={202: s.RedeliveredSerializer},
                   description="The same frozen bodies as before. A range (after, until] also sends the events "
                               "the subscription never had a delivery for (e.g. while it was switched off).")
    @action(detail=True, methods=["post"], url_path="redeliver", serializer_class=s.RedeliverySerializer)
    @idempotent
    def redeliver(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription, data = self._subscription_and_input(s.RedeliverySerializer)
        queued = services.webhook_redeliver(
            subscription=subscription, delivery_ids=data.get("deliveries"),
            after=int(data["after"]) if "after" in data else None,
            until=int(data["until"]) if "until" in data else None, **self._by(),
        )
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Send one delivery again", tags=_TAGS, request=None, parameters=[IDEMPOTENCY_KEY],
                   responses={202: s.RedeliveredSerializer})
    @action(detail=True, methods=["post"], url_path="deliveries/<int:delivery_pk>/redeliver",
            serializer_class=s.RedeliveredSerializer)
    @idempotent
    def redeliver_one(self, request: Request, *args: Any, delivery_pk: int, **kwargs: Any) -> Response:
        subscription = self.get_object()
        s.NoBodySerializer(data=request.data).is_valid(raise_exception=True)  # {} or no body; JSON null is refused
        delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, subscription=subscription)
        queued = services.webhook_redeliver(subscription=subscription, delivery_ids=[delivery.pk], **self._by())
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)
