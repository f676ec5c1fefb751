"""What the registry keeps: only what the partner feed and the person's case need.

No IP address, user agent, file name or file size is stored anywhere; dates are kept to the day.
Rows change only through registry/actions.py.
"""

from django.db import models
from django.utils import timezone


def _today():
    return timezone.now().date()


class Case(models.Model):
    """One person's submission: the hashes of the files they chose, reachable by number and code."""

    class Category(models.TextChoices):
        MINOR = "minor", "Under 18 in the content"
        ADULT = "adult", "Adult in the content"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    number = models.CharField(max_length=32, unique=True, editable=False)
    # SHA-256 of the access code; the code itself is shown once and never stored.
    code_hash = models.CharField(max_length=64, editable=False)
    category = models.CharField(max_length=8, choices=Category.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_on = models.DateField(default=_today, editable=False)
    withdrawn_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class Signal(models.Model):
    """One hash of one file: what partners receive and match against."""

    class SignalType(models.TextChoices):
        PHOTO_MD5 = "photo_md5", "Photo MD5"
        PDQ = "pdq", "PDQ"
        VIDEO_MD5 = "video_md5", "Video MD5"
        VPDQ = "vpdq", "vPDQ"

    class MediaType(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Held for review"
        QUARANTINED = "quarantined", "Quarantined"
        REJECTED = "rejected", "Rejected by staff"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signals")
    # Which file of the case this hash belongs to (its position in the submission).
    item = models.PositiveSmallIntegerField()
    signal_type = models.CharField(max_length=10, choices=SignalType.choices)
    media_type = models.CharField(max_length=5, choices=MediaType.choices)
    # Emptied once a withdrawn hash has outlived the tombstone retention period.
    value = models.TextField(blank=True)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_on = models.DateField(default=_today, editable=False)
    withdrawn_on = models.DateField(null=True, blank=True, editable=False)
    # When staff last restored it: partners' "not violating" verdicts before then are settled.
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "hash"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["signal_type", "value"], name="signal_type_value"),
            models.Index(fields=["status", "withdrawn_on"], name="signal_status_withdrawn"),
        ]

    def __str__(self) -> str:
        return f"{self.signal_type}:{self.value[:16]}"


class FeedEvent(models.Model):
    """One change partners must apply, in commit order: a hash added or removed.

    `seq` is assigned while the writer holds the feed lock until its commit (see actions), so
    increasing `seq` is increasing commit order and `seq > cursor` never misses a late commit.
    """

    class Action(models.TextChoices):
        ADD = "add", "Add"
        REMOVE = "remove", "Remove"

    seq = models.BigAutoField(primary_key=True)
    action = models.CharField(max_length=6, choices=Action.choices)
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "feed event"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.signal_id}"


class Partner(models.Model):
    """A platform that receives hashes: authenticated by an API key stored only as a hash."""

    class Scope(models.TextChoices):
        FEED_READ = "feed:read", "Read the hash feed"
        MATCH = "match", "Match hashes"
        FEEDBACK = "feedback", "Send verdicts"
        WEBHOOK_MANAGE = "webhook:manage", "See and manage the partner's webhook"

    name = models.CharField(max_length=100, unique=True)
    # The first characters of the key, shown to staff and partners to tell keys apart.
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The highest feed position the partner has confirmed holding: the `after` of its last pull.
    feed_position = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class Verdict(models.Model):
    """A partner's finding about one hash, as reported through the feedback API (latest wins)."""

    class Kind(models.TextChoices):
        REMOVED = "removed", "Removed matching content"
        PENDING_REVIEW = "pending_review", "Reviewing matching content"
        NOT_VIOLATING = "not_violating", "Matching content does not violate"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="verdicts")
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="verdicts")
    verdict = models.CharField(max_length=16, choices=Kind.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "signal"], name="one_verdict_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.verdict} {self.signal_id}"


class Dispute(Signal):
    """A hash that at least one partner reported as not violating: staff restore or remove it."""

    class Meta:
        proxy = True
        verbose_name = "dispute"


class BenignHash(models.Model):
    """A PDQ hash of a known benign image (a viral meme, a logo): submissions near it are refused,
    so nobody can get harmless content taken down by submitting its fingerprint."""

    value = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "benign hash"

    def __str__(self) -> str:
        return self.value


class AuditEntry(models.Model):
    """Who did what, when, to which objects and why. Written by actions, never edited."""

    at = models.DateTimeField(default=timezone.now, editable=False)
    # "public", "partner:<name>", "staff:<username>" or "system": never an address or agent.
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_ids = models.JSONField(default=list)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class WebhookEndpoint(models.Model):
    """Where a partner receives the feed by push, and how far delivery has got.

    The feed itself is the outbox: events are written in the same transaction as the data, and
    this row keeps the partner's position in it, so nothing about delivery lives only in Redis.
    The signing secret is kept as it is: HMAC needs the key itself to sign (unlike a password,
    nothing can be checked against a hash of it). It is never logged, and shown only when set
    or rotated.
    """

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="webhook")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, unique=True, editable=False)
    # The secret before the last rotation, still signing beside the new one until the time given.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Every event up to this feed position has been acknowledged by the partner with a 2xx.
    delivered_seq = models.BigIntegerField(default=0, editable=False)
    # The last position of the batch being attempted: retries resend exactly the same events.
    batch_last_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(default=timezone.now, editable=False)
    # Failed attempts in a row, which picks the next delay from the retry schedule.
    failures = models.PositiveIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    # A delivery in progress holds the endpoint until lease_until; its token fences late writers.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "webhook endpoint"
        indexes = [models.Index(fields=["next_attempt_at"], name="webhook_next_attempt")]

    def __str__(self) -> str:
        return f"{self.partner} webhook"


class DeliveryAttempt(models.Model):
    """One POST of one batch to one endpoint: what came back and how long it took.

    The partner's answer body is never kept beyond a short snippet.
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    webhook_id = models.CharField(max_length=100)
    first_seq = models.BigIntegerField(null=True, blank=True)
    last_seq = models.BigIntegerField(null=True, blank=True)
    is_test = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Empty on success; otherwise http, timeout, reset, connect, tls, protocol or refused.
    error = models.CharField(max_length=20, blank=True)
    snippet = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"], name="attempt_endpoint_at")]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.status_code or self.error}"
