"""Webhook subscriptions: agenda-wide settings, coordinators only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import audit, services
from tracker.api import serializers as s
from tracker.api.access import AgendaManagers
from tracker.api.idempotency import idempotent
from tracker.api.schema import IDEMPOTENCY_KEY
from tracker.models import WebhookSubscription

# --- Webhooks --------------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions (coordinators)", tags=["webhooks"]),
    retrieve=extend_schema(summary="One webhook subscription (coordinators)", tags=["webhooks"]),
    create=extend_schema(summary="Subscribe an endpoint to events (coordinators)", tags=["webhooks"],
                         parameters=[IDEMPOTENCY_KEY], responses={201: s.WebhookSubscriptionCreatedSerializer},
                         description="The answer holds the signing secret; it is never shown again."),
    partial_update=extend_schema(summary="Change a webhook subscription (coordinators)", tags=["webhooks"]),
    destroy=extend_schema(summary="Remove a webhook subscription (coordinators)", tags=["webhooks"]),
)
class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Webhook subscriptions are agenda-wide settings: coordinators only, never API keys."""

    serializer_class = s.WebhookSubscriptionSerializer
    permission_classes = [AgendaManagers]
    filter_backends: list = []
    lookup_value_converter = "int"
    queryset = WebhookSubscription.objects.order_by("name", "id")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_create(
            values=serializer.validated_data, via=audit.Via.API, user=request.user
        )
        return Response(s.WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.webhook_subscription_update(
            subscription=subscription, changes=serializer.validated_data, via=audit.Via.API, user=request.user
        )
        return Response(self.get_serializer(subscription).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        services.webhook_subscription_delete(subscription=subscription, via=audit.Via.API, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
