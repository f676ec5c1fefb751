"""Push delivery of the feed to partner webhooks, signed per Standard Webhooks.

The feed is the outbox: a FeedEvent is committed with the data it describes, and each endpoint
keeps its delivered position in PostgreSQL. A sweeper (Celery beat, every few seconds) queues a
delivery for each endpoint that is behind and due; a delivery takes the endpoint's lease, sends
the next batch (at most 100 events, the pull feed's JSON) and records the outcome. Redis only
carries "look at endpoint N" messages: losing them delays delivery until the next sweep, never
loses it; running one twice is harmless because of the lease.

Retries keep the batch (and so its webhook-id) and get a fresh timestamp and signature; their
times live in `next_attempt_at`, not in Celery countdowns.
"""

import base64
import email.utils
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime

from django.db.models import Max, Q
from django.utils import timezone

from portal import http
from portal.observability import DELIVERIES, DELIVERY_SECONDS
from registry import webhook_actions
from registry.models import FeedEvent, WebhookEndpoint
from registry.webhook_actions import Claim, Outcome

# One task keeps sending batches to a caught-up-but-busy endpoint at most this long, then leaves
# the rest to the next sweep (so one partner cannot hold a worker for ever).
DELIVERY_BUDGET_SECONDS = 30


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One Standard Webhooks signature: v1, base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret.removeprefix(webhook_actions.SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while the rotation's overlap lasts."""
    found = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        found.append(endpoint.previous_secret)
    return found


def headers(endpoint: WebhookEndpoint, msg_id: str, body: bytes, now: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers, signed now with every secret in force."""
    timestamp = int(now.timestamp())
    signatures = [sign(s, msg_id, timestamp, body) for s in signing_secrets(endpoint, now)]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


def _encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), default=str).encode()


def batch_body(after_seq: int, last_seq: int) -> tuple[bytes, int | None]:
    """The body for feed events (after_seq, last_seq] and its first position."""
    from registry.api.serializers import FeedEventSerializer

    events = (
        FeedEvent.objects.filter(seq__gt=after_seq, seq__lte=last_seq)
        .select_related("signal__case")
        .order_by("seq")
    )
    data = FeedEventSerializer(events, many=True).data
    first = data[0]["seq"] if data else None
    payload = {"type": "feed.events", "data": {"events": data, "next": last_seq}}
    return _encode(payload), first


def _retry_after(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, int((when - timezone.now()).total_seconds()))


def post(endpoint: WebhookEndpoint, msg_id: str, body: bytes, now: datetime) -> Outcome:
    """Send one signed body through the outbound wrapper and describe what came of it."""
    started = time.monotonic()
    try:
        answer = http.post(endpoint.url, body, headers(endpoint, msg_id, body, now))
    except http.Refused:
        return Outcome(None, "refused", 0)
    except http.TransportError as exc:
        return Outcome(None, exc.kind, int((time.monotonic() - started) * 1000))
    ok = 200 <= answer.status < 300
    error = "" if ok else ("redirect" if 300 <= answer.status < 400 else "http")
    return Outcome(
        status_code=answer.status,
        error=error,
        duration_ms=answer.duration_ms,
        snippet="" if ok else answer.body[:200].decode("utf-8", "replace"),
        retry_after=_retry_after(answer.headers.get("retry-after")),
    )


def webhook_id(endpoint_id: int, first_seq: int | None, last_seq: int) -> str:
    """A batch's id, the same on every retry: receivers dedupe on it."""
    return f"msg_{endpoint_id}_{first_seq or last_seq}_{last_seq}"


def deliver_claimed(claim: Claim, now: datetime | None = None) -> Outcome:
    """Send a claimed batch and record the attempt."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.get(pk=claim.endpoint_id)
    body, first = batch_body(claim.after_seq, claim.last_seq)
    msg_id = webhook_id(endpoint.pk, first, claim.last_seq)
    outcome = post(endpoint, msg_id, body, now)
    webhook_actions.record_attempt(claim, msg_id, first, outcome, now)
    DELIVERIES.labels(
        "delivered" if outcome.ok else outcome.error or str(outcome.status_code)
    ).inc()
    DELIVERY_SECONDS.observe(outcome.duration_ms / 1000)
    return outcome


def deliver(endpoint_id: int, now: datetime | None = None) -> int:
    """Deliver batches to one endpoint until it is caught up, a batch fails or time is up.

    Returns how many batches the partner acknowledged. Safe to run many times at once.
    """
    started = time.monotonic()
    delivered = 0
    while time.monotonic() - started < DELIVERY_BUDGET_SECONDS:
        claim = webhook_actions.claim_batch(endpoint_id, now)
        if claim is None:
            break
        if not deliver_claimed(claim, now).ok:
            break
        delivered += 1
    return delivered


def due_endpoints(now: datetime | None = None) -> list[int]:
    """Endpoints behind the feed, due, enabled and not held by a live delivery."""
    now = now or timezone.now()
    end = FeedEvent.objects.aggregate(seq=Max("seq"))["seq"] or 0
    return list(
        WebhookEndpoint.objects.filter(
            disabled_at__isnull=True, next_attempt_at__lte=now, delivered_seq__lt=end
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)
    )


def sweep(now: datetime | None = None) -> int:
    """Queue a delivery for every due endpoint; returns how many were queued."""
    from registry.tasks import deliver_webhook

    due = due_endpoints(now)
    for endpoint_id in due:
        # A message older than a few sweeps is dropped: a newer sweep has queued its successor.
        deliver_webhook.apply_async((endpoint_id,), expires=30)
    return len(due)


def send_test(endpoint: WebhookEndpoint) -> tuple[str, Outcome]:
    """Send a signed test message (no feed events) at once; the feed position does not move."""
    now = timezone.now()
    msg_id = f"msg_test_{secrets.token_hex(12)}"
    payload = {"type": "webhook.test", "timestamp": now.isoformat(), "data": {"events": []}}
    outcome = post(endpoint, msg_id, _encode(payload), now)
    webhook_actions.record_test_attempt(endpoint, msg_id, outcome)
    return msg_id, outcome
