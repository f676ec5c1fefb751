"""Every change of a partner webhook's state: each in one transaction, with an audit row where
staff need one. Kept beside actions.py so that file stays about hashes and cases.

A delivery is two short transactions around the POST (never one held open across the network):
`claim_batch` takes the endpoint's lease and fixes the batch, `record_attempt` stores the outcome
and moves the endpoint on. A lease token fences a worker whose lease ran out: its late outcome is
kept as an attempt but changes nothing else.
"""

import base64
import logging
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone

from portal import http
from registry.actions import ActionRefused, _audit
from registry.models import DeliveryAttempt, FeedEvent, Partner, WebhookEndpoint

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 32
# Statuses that mean "slow down": their Retry-After is honoured (capped at a day).
THROTTLE_STATUSES = {429, 502, 503, 504}
MAX_RETRY_AFTER = 24 * 3600


def new_secret() -> str:
    """A signing secret: whsec_ and 32 random bytes in base64 (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True)
class Claim:
    """A batch one worker may deliver now: events (after_seq, last_seq], under a lease token."""

    endpoint_id: int
    token: uuid.UUID
    after_seq: int
    last_seq: int


@dataclass(frozen=True)
class Outcome:
    """What one POST came to."""

    status_code: int | None
    error: str
    duration_ms: int
    snippet: str = ""
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def check_url(url: str) -> None:
    try:
        http.check_url(url)
    except http.Refused as exc:
        raise ActionRefused(f"This webhook URL is refused: {exc}") from None


@transaction.atomic
def set_webhook(partner: Partner, url: str, actor: str = "system") -> tuple[WebhookEndpoint, str]:
    """Give a partner a webhook (or a new URL); returns the endpoint and its secret.

    A new endpoint starts after the feed position the partner last confirmed by pulling (0 for
    a partner that never pulled: it receives the whole feed).
    """
    check_url(url)
    endpoint = WebhookEndpoint.objects.select_for_update().filter(partner=partner).first()
    if endpoint is None:
        start = Partner.objects.filter(pk=partner.pk).values_list("feed_position", flat=True)[0]
        endpoint = WebhookEndpoint.objects.create(
            partner=partner, url=url, secret=new_secret(), delivered_seq=start
        )
        _audit(actor, "set_webhook", [endpoint], reason="created")
    else:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
        endpoint.url = url
        _audit(actor, "set_webhook", [endpoint], reason="new URL")
    return endpoint, endpoint.secret


@transaction.atomic
def rotate_webhook_secret(
    endpoint: WebhookEndpoint, actor: str = "system", overlap: timedelta | None = None
) -> str:
    """Give the endpoint a new secret; the old one keeps signing beside it during the overlap."""
    if overlap is None:
        overlap = timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        secret=secret,
        previous_secret=endpoint.secret,
        previous_secret_until=timezone.now() + overlap,
    )
    _audit(actor, "rotate_webhook_secret", [endpoint], reason=f"overlap {overlap}")
    return secret


@transaction.atomic
def disable_webhook(endpoint: WebhookEndpoint, reason: str, actor: str = "system") -> None:
    """Stop delivering to an endpoint; its position is kept for a later replay."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
        disabled_at=timezone.now(), disabled_reason=reason[:200], lease_until=None, lease_token=None
    )
    _audit(actor, "disable_webhook", [endpoint], reason=reason)


@transaction.atomic
def enable_webhook(
    endpoint: WebhookEndpoint, actor: str = "system", replay_from: int | None = None
) -> None:
    """Deliver again, from where the partner stopped (or from an earlier feed position)."""
    changes: dict = {
        "disabled_at": None,
        "disabled_reason": "",
        "failures": 0,
        "failing_since": None,
        "next_attempt_at": timezone.now(),
        "batch_last_seq": None,
    }
    if replay_from is not None:
        changes["delivered_seq"] = replay_from
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
    reason = "" if replay_from is None else f"replay after {replay_from}"
    _audit(actor, "enable_webhook", [endpoint], reason=reason)


@transaction.atomic
def claim_batch(endpoint_id: int, now: datetime | None = None) -> Claim | None:
    """Take the endpoint's lease and fix its next batch, or None when it is not ours to send now.

    SKIP LOCKED lets a second worker walk away at once instead of queueing behind the first;
    the lease keeps it away after the first one's short transaction has committed.
    """
    now = now or timezone.now()
    endpoint = (
        WebhookEndpoint.objects.select_for_update(skip_locked=True)
        .filter(pk=endpoint_id, disabled_at__isnull=True, next_attempt_at__lte=now)
        .first()
    )
    if endpoint is None or (endpoint.lease_until is not None and endpoint.lease_until > now):
        return None
    last_seq = endpoint.batch_last_seq
    if last_seq is None:
        seqs = list(
            FeedEvent.objects.filter(seq__gt=endpoint.delivered_seq)
            .order_by("seq")
            .values_list("seq", flat=True)[: settings.WEBHOOK_BATCH_SIZE]
        )
        if not seqs:
            return None
        last_seq = seqs[-1]
    token = uuid.uuid4()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        batch_last_seq=last_seq,
        lease_token=token,
        lease_until=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
    )
    return Claim(endpoint.pk, token, endpoint.delivered_seq, last_seq)


def _next_delay(failures: int, outcome: Outcome) -> float:
    schedule = settings.WEBHOOK_RETRY_DELAYS
    delay = schedule[min(failures, len(schedule)) - 1]
    jitter = settings.WEBHOOK_RETRY_JITTER
    delay *= random.uniform(1 - jitter, 1 + jitter)  # noqa: S311 (spreading retries, not a secret)
    if outcome.status_code in THROTTLE_STATUSES and outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, MAX_RETRY_AFTER))
    return delay


@transaction.atomic
def record_attempt(
    claim: Claim,
    webhook_id: str,
    first_seq: int | None,
    outcome: Outcome,
    now: datetime | None = None,
) -> None:
    """Store one attempt and move the endpoint on: forward on 2xx, to a later retry otherwise.

    410 Gone disables the endpoint; so do 5 days of failures, and then staff are told.
    """
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=claim.endpoint_id)
    _attempt_row(
        endpoint,
        webhook_id,
        outcome,
        first_seq=first_seq,
        last_seq=claim.last_seq,
        attempted_at=now,
    )
    if endpoint.lease_token != claim.token:
        return  # our lease ran out and another worker owns the endpoint now
    changes: dict = {"lease_until": None, "lease_token": None}
    if outcome.ok:
        changes.update(
            delivered_seq=max(endpoint.delivered_seq, claim.last_seq),
            batch_last_seq=None,
            failures=0,
            failing_since=None,
            next_attempt_at=now,
        )
    elif outcome.status_code == 410:
        changes.update(disabled_at=now, disabled_reason="The endpoint answered 410 Gone.")
        _audit("system", "disable_webhook", [endpoint], reason="410 Gone")
    else:
        failures = endpoint.failures + 1
        failing_since = endpoint.failing_since or now
        changes.update(
            failures=failures,
            failing_since=failing_since,
            next_attempt_at=now + timedelta(seconds=_next_delay(failures, outcome)),
        )
        failing_for = (now - failing_since).total_seconds()
        if failing_for >= settings.WEBHOOK_DISABLE_AFTER_SECONDS:
            days = failing_for / 86400
            reason = f"Every delivery failed for {days:.1f} days."
            changes.update(disabled_at=now, disabled_reason=reason)
            _audit("system", "disable_webhook", [endpoint], reason=reason)
            _tell_staff(endpoint, reason)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)


def _tell_staff(endpoint: WebhookEndpoint, reason: str) -> None:
    partner = endpoint.partner.name
    log.warning("Webhook of partner %r disabled: %s", partner, reason)

    def send() -> None:
        try:
            mail_admins(
                f"Webhook of {partner} disabled",
                f"{reason}\nDelivery stopped at feed position {endpoint.delivered_seq}; "
                "re-enabling it in the admin replays everything after that.",
            )
        except Exception:  # the state is committed and logged already; mail is a courtesy
            log.exception("Could not mail staff about the disabled webhook of %r", partner)

    transaction.on_commit(send)


@transaction.atomic
def record_test_attempt(endpoint: WebhookEndpoint, webhook_id: str, outcome: Outcome) -> None:
    """Store a test delivery (it moves nothing)."""
    _attempt_row(endpoint, webhook_id, outcome, is_test=True)


def _attempt_row(endpoint: WebhookEndpoint, webhook_id: str, outcome: Outcome, **fields: object):
    """The record of one POST to a partner (a short snippet of its answer, never more)."""
    return DeliveryAttempt.objects.create(
        endpoint=endpoint,
        webhook_id=webhook_id,
        status_code=outcome.status_code,
        error=outcome.error,
        snippet=outcome.snippet[:200],
        duration_ms=outcome.duration_ms,
        **fields,
    )
