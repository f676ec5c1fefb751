"""Every change of the registry's state, each in one transaction with its audit row and feed events.

Views, admin actions, tasks and management commands call these; nothing else saves domain rows.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, models, transaction
from django.utils import timezone

from registry import keys
from registry.models import AuditEntry, BenignHash, Case, FeedEvent, Partner, Signal, Verdict

# Any constant shared by every writer: the key of the advisory lock that orders the feed.
_FEED_LOCK_KEY = 7_301_112


@dataclass(frozen=True)
class HashInput:
    """One validated hash of one submitted file."""

    item: int
    media_type: str
    signal_type: str
    value: str
    quality: int | None = None


class ActionRefused(Exception):
    """The action cannot be done in the registry's current state; the message says why."""


# A hash that this many different partners report as not violating leaves the feed for review.
QUARANTINE_AFTER_NOT_VIOLATING = 3
MAX_ITEMS_PER_CASE = 50


@dataclass(frozen=True)
class NewCase:
    """A created case with its access code: the only moment the code exists in clear."""

    case: Case
    access_code: str


def _audit(actor: str, action: str, objects: Sequence[object], reason: str = "") -> None:
    object_type = type(objects[0]).__name__ if objects else ""
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_ids=[obj.pk for obj in objects],  # type: ignore[attr-defined]
        reason=reason,
    )


def _append_feed_events(signals: Iterable[Signal], action: str) -> list[FeedEvent]:
    """Append feed events in commit order.

    The transaction-scoped advisory lock is held from here until commit, so a writer that takes
    a sequence number after us also commits after us: partners reading `seq > cursor` never skip
    a row that commits late. Callers do this last, to hold the lock as briefly as possible.
    SQLite serialises whole write transactions already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FEED_LOCK_KEY])
    return FeedEvent.objects.bulk_create(FeedEvent(action=action, signal=s) for s in signals)


def held_for_review(category: str) -> bool:
    """Whether new hashes of this category wait for staff before partners receive them."""
    from django.conf import settings

    return category in settings.HOLD_FOR_REVIEW_CATEGORIES


def _create_signals(case: Case, hashes: Sequence[HashInput], first_item: int = 0) -> list[Signal]:
    status = Signal.Status.PENDING if held_for_review(case.category) else Signal.Status.ACTIVE
    return Signal.objects.bulk_create(
        Signal(
            case=case,
            item=first_item + h.item,
            media_type=h.media_type,
            signal_type=h.signal_type,
            value=h.value,
            quality=h.quality,
            status=status,
        )
        for h in hashes
    )


def _publish(signals: list[Signal]) -> None:
    _append_feed_events(
        [s for s in signals if s.status == Signal.Status.ACTIVE], FeedEvent.Action.ADD
    )


@transaction.atomic
def submit_case(category: str, hashes: Sequence[HashInput]) -> NewCase:
    """Create a case with its hashes and publish them to the feed."""
    access_code = keys.new_access_code()
    case = Case.objects.create(
        number=keys.new_case_number(),
        code_hash=keys.digest(keys.normalise_code(access_code)),
        category=category,
    )
    signals = _create_signals(case, hashes)
    _audit("public", "submit_case", [case])
    _publish(signals)
    return NewCase(case=case, access_code=access_code)


@transaction.atomic
def add_items(case: Case, hashes: Sequence[HashInput]) -> list[Signal]:
    """Add more files' hashes to an open case and publish them."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.ACTIVE:
        raise ActionRefused("This case was withdrawn; open a new case to protect more files.")
    existing = case.signals.aggregate(items=models.Max("item"))["items"]
    first_item = 0 if existing is None else existing + 1
    new_items = len({h.item for h in hashes})
    if first_item + new_items > MAX_ITEMS_PER_CASE:
        raise ActionRefused(
            f"A case holds at most {MAX_ITEMS_PER_CASE} files; this one has {first_item}."
        )
    held = set(case.signals.values_list("signal_type", "value"))
    for h in hashes:
        if (h.signal_type, h.value) in held:
            raise ActionRefused(f"Item {h.item + 1} repeats a hash already in this case.")
    signals = _create_signals(case, hashes, first_item)
    _audit("public", "add_items", [case])
    _publish(signals)
    return signals


@transaction.atomic
def withdraw_case(case: Case, actor: str = "public") -> int:
    """Withdraw every hash of a case: partners receive a remove event for each published one."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.WITHDRAWN:
        return 0
    today = timezone.now().date()
    signals = list(case.signals.select_for_update().exclude(status=Signal.Status.WITHDRAWN))
    published = [s for s in signals if s.status == Signal.Status.ACTIVE]
    Signal.objects.filter(pk__in=[s.pk for s in signals]).update(
        status=Signal.Status.WITHDRAWN, withdrawn_on=today
    )
    Case.objects.filter(pk=case.pk).update(status=Case.Status.WITHDRAWN, withdrawn_on=today)
    _audit(actor, "withdraw_case", [case])
    _append_feed_events(published, FeedEvent.Action.REMOVE)
    return len(published)


@transaction.atomic
def record_feedback(partner: Partner, signal: Signal, verdict: str) -> bool:
    """Record a partner's verdict on a hash; quarantine the hash when enough partners say
    it does not violate. Returns whether this verdict quarantined it."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    Verdict.objects.update_or_create(
        partner=partner,
        signal=signal,
        defaults={"verdict": verdict, "updated_at": timezone.now()},
    )
    _audit(f"partner:{partner.name}", f"feedback:{verdict}", [signal])
    if verdict != Verdict.Kind.NOT_VIOLATING or signal.status != Signal.Status.ACTIVE:
        return False
    doubts = signal.verdicts.filter(verdict=Verdict.Kind.NOT_VIOLATING)
    if signal.reviewed_at is not None:  # staff settled the earlier verdicts when restoring it
        doubts = doubts.filter(updated_at__gt=signal.reviewed_at)
    doubters = doubts.count()
    if doubters < QUARANTINE_AFTER_NOT_VIOLATING:
        return False
    Signal.objects.filter(pk=signal.pk).update(status=Signal.Status.QUARANTINED)
    _audit("system", "quarantine", [signal], reason=f"{doubters} partners: not violating")
    _append_feed_events([signal], FeedEvent.Action.REMOVE)
    return True


@transaction.atomic
def create_partner(name: str, scopes: Sequence[str], actor: str = "system") -> tuple[Partner, str]:
    """Create a partner and its API key; the key is returned once and stored only as a hash."""
    key, prefix = keys.new_partner_key()
    partner = Partner.objects.create(
        name=name, key_prefix=prefix, key_hash=keys.digest(key), scopes=list(scopes)
    )
    _audit(actor, "create_partner", [partner])
    return partner, key


@transaction.atomic
def purge_withdrawn_values(today: date | None = None) -> int:
    """Erase the values of hashes withdrawn longer ago than the tombstone retention period."""
    from django.conf import settings

    today = today or timezone.now().date()
    cutoff = today - timedelta(days=settings.TOMBSTONE_RETENTION_DAYS)
    expired = Signal.objects.filter(
        status=Signal.Status.WITHDRAWN, withdrawn_on__lt=cutoff
    ).exclude(value="")
    ids = list(expired.values_list("id", flat=True))
    if ids:
        Signal.objects.filter(id__in=ids).update(value="")
        AuditEntry.objects.create(
            actor="system", action="purge_withdrawn_values", object_type="Signal", object_ids=ids
        )
    return len(ids)


# Staff moderation. Each decision moves hashes between states and tells partners through the feed:
# a hash enters the feed when it becomes active and leaves it when it stops being active.
_MODERATION = {
    # decision: (states it applies to, the state it leads to)
    "approve": ({Signal.Status.PENDING}, Signal.Status.ACTIVE),
    "quarantine": ({Signal.Status.ACTIVE}, Signal.Status.QUARANTINED),
    "restore": ({Signal.Status.QUARANTINED, Signal.Status.REJECTED}, Signal.Status.ACTIVE),
    "reject": (
        {Signal.Status.PENDING, Signal.Status.ACTIVE, Signal.Status.QUARANTINED},
        Signal.Status.REJECTED,
    ),
}
MODERATION_DECISIONS = tuple(_MODERATION)


@transaction.atomic
def moderate(signal_ids: Iterable[int], decision: str, actor: str, reason: str) -> int:
    """Apply a staff decision to the hashes it applies to; returns how many changed."""
    sources, target = _MODERATION[decision]
    signals = list(
        Signal.objects.select_for_update()
        .filter(pk__in=list(signal_ids), status__in=sources)
        .order_by("pk")
    )
    if not signals:
        return 0
    was_active = [s for s in signals if s.status == Signal.Status.ACTIVE]
    changes: dict[str, object] = {"status": target}
    if decision == "restore":
        changes["reviewed_at"] = timezone.now()
    Signal.objects.filter(pk__in=[s.pk for s in signals]).update(**changes)
    _audit(actor, decision, signals, reason)
    if target == Signal.Status.ACTIVE:
        _append_feed_events(signals, FeedEvent.Action.ADD)
    else:
        _append_feed_events(was_active, FeedEvent.Action.REMOVE)
    return len(signals)


@transaction.atomic
def add_benign_hash(value: str, note: str, actor: str) -> tuple[BenignHash, list[int]]:
    """Add a known benign image's PDQ hash; returns it with the active hashes near it, which staff
    should review (they are listed, not changed)."""
    from registry import matching

    benign, _ = BenignHash.objects.get_or_create(value=value, defaults={"note": note})
    near = [signal_id for signal_id, _ in matching.current_index(max_age=0).search(value)]
    _audit(actor, "add_benign_hash", [benign], reason=note)
    return benign, near


@transaction.atomic
def rotate_partner_key(partner: Partner, actor: str) -> str:
    """Give a partner a new API key (returned once); the old key stops working at once."""
    key, prefix = keys.new_partner_key()
    Partner.objects.filter(pk=partner.pk).update(key_prefix=prefix, key_hash=keys.digest(key))
    _audit(actor, "rotate_partner_key", [partner])
    return key


@transaction.atomic
def update_partner(partner: Partner, *, scopes: Sequence[str], is_active: bool, actor: str) -> None:
    """Change what a partner's key may do, or switch the partner off and on."""
    Partner.objects.filter(pk=partner.pk).update(scopes=list(scopes), is_active=is_active)
    _audit(actor, "update_partner", [partner], reason=f"scopes={list(scopes)} active={is_active}")


@transaction.atomic
def create_staff(username: str, email: str, password: str, group: str, actor: str = "system"):
    """A staff account in a role group, with the TOTP device it must sign in with."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_user(
        username, email=email, password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    _audit(actor, "create_staff", [user], reason=group)
    return user, device


@transaction.atomic
def purge_old_audit(today: date | None = None) -> int:
    """Delete audit rows older than AUDIT_RETENTION_DAYS (0 keeps them for ever)."""
    from django.conf import settings

    days = settings.AUDIT_RETENTION_DAYS
    if days <= 0:
        return 0
    today = today or timezone.now().date()
    cutoff = today - timedelta(days=days)
    deleted, _ = AuditEntry.objects.filter(at__date__lt=cutoff).delete()
    if deleted:
        AuditEntry.objects.create(
            actor="system", action="purge_old_audit", object_type="AuditEntry",
            reason=f"{deleted} rows from before {cutoff.isoformat()}",
        )  # fmt: skip
    return deleted
