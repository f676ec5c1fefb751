"""Reads of the registry that views share: finding a case by its secrets, a case's status."""

from django.db.models import Count, Max

from registry import keys
from registry.models import BenignHash, Case, FeedEvent, Partner, Signal, Verdict

# Compared against when the case number is unknown, so both failures cost the same time.
_NO_CASE_DIGEST = keys.digest("no such case")
BENIGN_DISTANCE = 31


def find_case(number: str, access_code: str) -> Case | None:
    """The case with this number whose access code matches, or None either way."""
    case = Case.objects.filter(number=_normalise_number(number)).first()
    matched = keys.matches(
        keys.normalise_code(access_code), case.code_hash if case else _NO_CASE_DIGEST
    )
    return case if case is not None and matched else None


def _normalise_number(number: str) -> str:
    chars = keys.normalise_code(number)
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def case_status(case: Case) -> dict:
    """What the person may see of their case: counts only, never other people's data."""
    by_status = dict(
        case.signals.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    verdicts = dict(
        Verdict.objects.filter(signal__case=case)
        .values_list("verdict")
        .annotate(n=Count("id"))
        .values_list("verdict", "n")
    )
    last_add = FeedEvent.objects.filter(signal__case=case, action=FeedEvent.Action.ADD).aggregate(
        seq=Max("seq")
    )["seq"]
    partners = Partner.objects.filter(is_active=True)
    received = partners.filter(feed_position__gte=last_add).count() if last_add else 0
    return {
        "case_number": case.number,
        "category": case.category,
        "status": case.status,
        "created": case.created_on,
        "files": case.signals.values("item").distinct().count(),
        "hashes": {status: by_status.get(status, 0) for status in Signal.Status.values},
        "partners_received": received,
        "partners_total": partners.count(),
        "verdicts": {kind: verdicts.get(kind, 0) for kind in Verdict.Kind.values},
    }


def near_benign(pdq_values: list[str]) -> set[str]:
    """Those of the given PDQ hashes within matching distance of a known benign image."""
    if not pdq_values:
        return set()
    queries = {value: int(value, 16) for value in pdq_values}
    near = set()
    for benign in BenignHash.objects.values_list("value", flat=True).iterator(chunk_size=10_000):
        b = int(benign, 16)
        near.update(v for v, q in queries.items() if (q ^ b).bit_count() <= BENIGN_DISTANCE)
    return near
