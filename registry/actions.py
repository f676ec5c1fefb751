"""Every change of the registry's state, each in one transaction with its audit row and feed events.

Views, admin actions, tasks and management commands call these; nothing else saves domain rows.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from registry import keys
from registry.models import AuditEntry, Case, FeedEvent, Partner, Signal

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


@transaction.atomic
def submit_case(category: str, hashes: Sequence[HashInput]) -> NewCase:
    """Create a case with its hashes and publish them to the feed."""
    access_code = keys.new_access_code()
    case = Case.objects.create(
        number=keys.new_case_number(),
        code_hash=keys.digest(keys.normalise_code(access_code)),
        category=category,
    )
    signals = Signal.objects.bulk_create(
        Signal(
            case=case,
            item=h.item,
            media_type=h.media_type,
            signal_type=h.signal_type,
            value=h.value,
            quality=h.quality,
        )
        for h in hashes
    )
    _audit("public", "submit_case", [case])
    _append_feed_events(signals, FeedEvent.Action.ADD)
    return NewCase(case=case, access_code=access_code)


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
