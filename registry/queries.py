"""Reads of the registry that views share: finding a case by its secrets, a case's status."""

from dataclasses import dataclass

from django.db.models import Count, Max

from hashing_wasm import from_threatexchange_json, is_vpdq_match
from registry import keys, matching
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


@dataclass(frozen=True)
class MatchQuery:
    """One hash a partner asks about; `variants` are its other dihedral PDQ hashes, if any."""

    signal_type: str
    value: str
    variants: tuple[str, ...] = ()


def match(query_list: list[MatchQuery]) -> list[list[dict]]:
    """For each query, the active registry hashes it matches, as a brute-force scan would find:
    exact MD5, PDQ within distance 31 (through any variant), vPDQ by its match rule."""
    results: list[list[dict]] = [[] for _ in query_list]
    by_type: dict[str, list[int]] = {}
    for position, query in enumerate(query_list):
        by_type.setdefault(query.signal_type, []).append(position)

    found: dict[int, list[tuple[int, int | None]]] = {}  # position -> (signal id, distance)
    for signal_type in ("photo_md5", "video_md5"):
        positions = by_type.get(signal_type, [])
        wanted = {query_list[p].value: p for p in positions}
        if wanted:
            exact = Signal.objects.filter(
                signal_type=signal_type, status=Signal.Status.ACTIVE, value__in=list(wanted)
            ).values_list("id", "value")
            for signal_id, value in exact:
                found.setdefault(wanted[value], []).append((signal_id, 0))
    pdq_positions = by_type.get("pdq", [])
    if pdq_positions:
        flat = [
            (p, h) for p in pdq_positions for h in (query_list[p].value, *query_list[p].variants)
        ]
        hits = matching.current_index().search_many([h for _, h in flat])
        best: dict[int, dict[int, int]] = {}
        for (position, _), matches in zip(flat, hits, strict=True):
            for signal_id, distance in matches:
                seen = best.setdefault(position, {})
                seen[signal_id] = min(distance, seen.get(signal_id, 256))
        for position, seen in best.items():
            found[position] = sorted(seen.items(), key=lambda hit: (hit[1], hit[0]))
    vpdq_positions = by_type.get("vpdq", [])
    if vpdq_positions:
        # Few videos next to images; a frame index would replace this scan when that changes.
        asked = {p: from_threatexchange_json(query_list[p].value) for p in vpdq_positions}
        videos = Signal.objects.filter(signal_type="vpdq", status=Signal.Status.ACTIVE)
        for signal_id, value in videos.values_list("id", "value").iterator(chunk_size=1000):
            features = from_threatexchange_json(value)
            for position, query_features in asked.items():
                if is_vpdq_match(query_features, features):
                    found.setdefault(position, []).append((signal_id, None))

    ids = {signal_id for hits in found.values() for signal_id, _ in hits}
    signals = Signal.objects.select_related("case").in_bulk(ids)
    for position, hits in found.items():
        results[position] = [
            {
                "id": signal_id,
                "signal_type": signals[signal_id].signal_type,
                "media_type": signals[signal_id].media_type,
                "category": signals[signal_id].case.category,
                "distance": distance,
            }
            for signal_id, distance in hits
            if signal_id in signals
        ]
    return results


def transparency_figures() -> dict[str, int]:
    """The public numbers: cases, hashes partners hold now, partners, hashes taken back."""
    by_status = dict(
        Signal.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "cases": Case.objects.count(),
        "active_hashes": by_status.get(Signal.Status.ACTIVE, 0),
        "partners": Partner.objects.filter(is_active=True).count(),
        "withdrawn_hashes": by_status.get(Signal.Status.WITHDRAWN, 0),
        "quarantined_hashes": by_status.get(Signal.Status.QUARANTINED, 0),
    }
