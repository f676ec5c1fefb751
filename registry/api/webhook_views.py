"""Partners' webhook console: its health and recent attempts, a test message, a new secret.

Needs the `webhook:manage` scope. The webhook itself (its URL) is set up by staff.
"""

from django.db.models import Max
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from registry import webhook_actions, webhooks
from registry.api.views import PartnerView, errors
from registry.models import DeliveryAttempt, FeedEvent, Partner, WebhookEndpoint

RECENT_ATTEMPTS = 20


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = [
            "webhook_id", "first_seq", "last_seq", "is_test", "status_code", "error",
            "duration_ms", "attempted_at",
        ]  # fmt: skip


class WebhookHealthSerializer(serializers.Serializer):
    url = serializers.URLField()
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(help_text="Why delivery stopped; empty when enabled.")
    delivered_seq = serializers.IntegerField(help_text="Every event up to here was acknowledged.")
    feed_seq = serializers.IntegerField(help_text="The feed's latest position.")
    failures = serializers.IntegerField(help_text="Failed attempts in a row.")
    failing_since = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField()
    previous_secret_valid_until = serializers.DateTimeField(
        allow_null=True, help_text="Until then, deliveries carry a signature by the old secret too."
    )
    recent_attempts = AttemptSerializer(many=True)


class TestResultSerializer(serializers.Serializer):
    webhook_id = serializers.CharField()
    delivered = serializers.BooleanField(help_text="Whether the endpoint answered 2xx.")
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text="Empty on success; otherwise what went wrong.")
    duration_ms = serializers.IntegerField()


class NewSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret, shown this once.")
    previous_secret_valid_until = serializers.DateTimeField()


def _endpoint(partner: Partner) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(partner=partner).first()
    if endpoint is None:
        raise NotFound("This partner has no webhook; ask the registry's staff to set one up.")
    return endpoint


class WebhookView(PartnerView):
    """Partners: the webhook's state and its latest delivery attempts."""

    required_scope = Partner.Scope.WEBHOOK_MANAGE

    @extend_schema(responses={200: WebhookHealthSerializer, **errors(401, 403, 404)})
    def get(self, request):
        endpoint = _endpoint(request.user)
        attempts = DeliveryAttempt.objects.filter(endpoint=endpoint)[:RECENT_ATTEMPTS]
        until = endpoint.previous_secret_until if endpoint.previous_secret else None
        health = {
            "url": endpoint.url,
            "enabled": endpoint.disabled_at is None,
            "disabled_reason": endpoint.disabled_reason,
            "delivered_seq": endpoint.delivered_seq,
            "feed_seq": FeedEvent.objects.aggregate(seq=Max("seq"))["seq"] or 0,
            "failures": endpoint.failures,
            "failing_since": endpoint.failing_since,
            "next_attempt_at": endpoint.next_attempt_at,
            "previous_secret_valid_until": until,
            "recent_attempts": attempts,
        }
        return Response(WebhookHealthSerializer(health).data)


class WebhookTestView(PartnerView):
    """Partners: send a signed test message now (it carries no events and moves nothing)."""

    required_scope = Partner.Scope.WEBHOOK_MANAGE

    @extend_schema(request=None, responses={200: TestResultSerializer, **errors(401, 403, 404)})
    def post(self, request):
        msg_id, outcome = webhooks.send_test(_endpoint(request.user))
        result = {
            "webhook_id": msg_id,
            "delivered": outcome.ok,
            "status_code": outcome.status_code,
            "error": outcome.error,
            "duration_ms": outcome.duration_ms,
        }
        return Response(TestResultSerializer(result).data)


class WebhookSecretView(PartnerView):
    """Partners: a new signing secret; the old one keeps signing beside it for the overlap."""

    required_scope = Partner.Scope.WEBHOOK_MANAGE

    @extend_schema(request=None, responses={200: NewSecretSerializer, **errors(401, 403, 404)})
    def post(self, request):
        endpoint = _endpoint(request.user)
        secret = webhook_actions.rotate_webhook_secret(
            endpoint, actor=f"partner:{request.user.name}"
        )
        endpoint.refresh_from_db()
        answer = {"secret": secret, "previous_secret_valid_until": endpoint.previous_secret_until}
        response = Response(NewSecretSerializer(answer).data)
        response["Cache-Control"] = "no-store"
        return response
