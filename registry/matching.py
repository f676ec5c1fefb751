"""Exact PDQ similarity search over the registry's active hashes, kept in step with the feed.

POST /api/v1/match asks, for up to 100 PDQ hashes, which registry entries lie within Hamming
distance 31. The answer must equal a brute-force scan, so the index is exact: multi-index hashing.
Each 256-bit hash is cut into 16 chunks of 16 bits; by the pigeonhole principle two hashes within
31 bits agree to within 1 bit on at least one chunk, so looking up the 17 buckets (the chunk and
its 16 one-bit flips) of each of the 16 chunks finds every match, and the candidates are then
verified with a popcount. At 1,000,000 hashes that is about 4,000 candidates instead of 1,000,000,
several times faster than FAISS's brute-force IndexBinaryFlat (see bench/matching.py); FAISS's
own IndexBinaryMultiHash measured slower than IndexBinaryFlat here and cannot remove entries.

Buckets are per-chunk sorted arrays of slots (CSR), so a query is a few vectorised numpy calls.
Changes never reload or re-sort the whole index: an added hash goes to a small delta that every
query scans directly, a removed one is masked out at once, and when `merge_every` changes have
accumulated the delta is merged into the buckets in one linear pass. Removed slots are reused
after that merge, so memory stays bounded under add/remove churn.
"""

import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from registry.models import FeedEvent, Signal

logger = logging.getLogger(__name__)

MATCH_DISTANCE = 31
REFRESH_SECONDS = 0.5

_CHUNKS = 16  # 16 chunks of 16 bits: any match within 31 bits is within 1 bit on some chunk
_KEYS = 1 << 16
_WORDS = 4  # a hash is stored as 4 uint64 words, viewed as 16 uint16 chunks
_HEX = re.compile(r"[0-9a-f]{64}")
# Bucket keys to probe for a chunk: itself (radius 0), then its 16 one-bit flips (radius 1).
_PROBES = {
    0: np.array([0], dtype=np.uint16),
    1: np.array([0] + [1 << b for b in range(16)], dtype=np.uint16),
}
_ROWS = np.arange(_CHUNKS, dtype=np.int64)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between the rows of two (n, 4) uint64 arrays."""
    counts = np.bitwise_count(a ^ b)
    # Column by column: numpy's sum along a 4-wide axis costs ten times more.
    return counts[:, 0].astype(np.int16) + counts[:, 1] + counts[:, 2] + counts[:, 3]


def _to_words(hashes: Sequence[str]) -> np.ndarray:
    """Parse 64-character hex PDQ hashes into an (n, 4) uint64 array of their bytes."""
    if any(len(h) != 64 for h in hashes):
        raise ValueError("a PDQ hash is 64 hexadecimal characters")
    raw = bytes.fromhex("".join(hashes))  # raises ValueError on anything but hex digits
    if len(raw) != 32 * len(hashes):  # fromhex skips whitespace between bytes
        raise ValueError("a PDQ hash is 64 hexadecimal characters")
    return np.frombuffer(raw, dtype=np.uint64).reshape(-1, _WORDS).copy()


class PdqIndex:
    """Exact range search over (signal id, PDQ hash) pairs that change a few at a time."""

    def __init__(self, merge_every: int = 4096) -> None:
        self._lock = threading.Lock()
        self._merge_every = merge_every
        # Slot storage: one row per slot ever used; a removed slot is reused after a merge.
        self._words = np.zeros((0, _WORDS), dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int64)
        self._live = np.zeros(0, dtype=bool)
        self._in_base = np.zeros(0, dtype=bool)
        self._used = 0  # slots [0, _used) have been handed out at least once
        # Finding an id's slot: base slots by binary search in sorted arrays, slots added since
        # the last merge in a small dict (a dict of all 1,000,000 would take another 100 MB).
        self._base_ids = np.zeros(0, dtype=np.int64)
        self._base_slots = np.zeros(0, dtype=np.int64)
        self._recent: dict[int, int] = {}
        self._count = 0
        self._free: list[int] = []
        # Changes since the last merge: added slots are not in the buckets yet; removed slots
        # may still be in them (masked by _live) and are not reused before the merge.
        self._delta_parts: list[np.ndarray] = []
        self._delta_size = 0
        self._delta_cache: np.ndarray | None = None
        self._removed: list[int] = []
        # Buckets: row c lists the base slots sorted by chunk c; _starts[c, k] is where key k
        # begins in the flattened rows, so a bucket is a range of _order.ravel().
        self._order = np.zeros((_CHUNKS, 0), dtype=np.int32)
        self._starts = np.zeros((_CHUNKS, _KEYS + 1), dtype=np.int64)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, str]], batch: int = 20_000) -> "PdqIndex":
        """Build an index from (signal id, hex hash) pairs, streaming them in batches."""
        index = cls()
        ids: list[int] = []
        hashes: list[str] = []
        with index._lock:
            for signal_id, value in pairs:
                ids.append(signal_id)
                hashes.append(value)
                if len(ids) >= batch:
                    index._add(ids, _to_words(hashes))
                    ids, hashes = [], []
            if ids:
                index._add(ids, _to_words(hashes))
            index._merge()
        return index

    def __len__(self) -> int:
        return self._count

    @property
    def capacity(self) -> int:
        """Slots allocated: bounded by the peak size plus `merge_every`, whatever the churn."""
        return len(self._ids)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays (not counting the small dict of recent additions)."""
        arrays = (self._words, self._ids, self._live, self._in_base, self._order, self._starts)
        arrays += (self._base_ids, self._base_slots)
        return sum(a.nbytes for a in arrays)

    def add(self, ids: Sequence[int], hashes: Sequence[str]) -> None:
        """Add or replace entries; an id already present gets the new hash."""
        if len(ids) != len(hashes):
            raise ValueError("ids and hashes differ in length")
        words = _to_words(hashes)
        with self._lock:
            self._add(ids, words)
            self._merge_if_due()

    def remove(self, ids: Iterable[int]) -> None:
        """Remove entries by signal id; ids not in the index are ignored."""
        with self._lock:
            self._remove(ids)
            self._merge_if_due()

    def search(self, query_hex: str, max_distance: int = MATCH_DISTANCE) -> list[tuple[int, int]]:
        """(signal id, distance) of every entry within `max_distance`, by distance then id."""
        return self.search_many([query_hex], max_distance)[0]

    def search_many(
        self, queries: Sequence[str], max_distance: int = MATCH_DISTANCE
    ) -> list[list[tuple[int, int]]]:
        """`search` for several hashes in one vectorised pass: one result list per query."""
        if not 0 <= max_distance <= 256:
            raise ValueError("max_distance must be between 0 and 256")
        query_words = _to_words(queries)
        if not len(queries):
            return []
        with self._lock:
            if max_distance // _CHUNKS in _PROBES:
                q, slots = self._candidates(query_words, _PROBES[max_distance // _CHUNKS])
                distances = _distances(self._words.take(slots, axis=0), query_words.take(q, axis=0))
                hit = (distances <= max_distance) & self._live.take(slots)
                q, slots, distances = q[hit], slots[hit], distances[hit]
            else:  # too far for 1-bit probes to stay cheap: scan everything
                q, slots, distances = self._scan(query_words, max_distance)
            ids = self._ids.take(slots)
        # A hash close on several chunks is found several times: sort, then keep the first.
        order = np.lexsort((ids, distances, q))
        q, ids, distances = q[order], ids[order], distances[order]
        first = np.ones(len(q), dtype=bool)
        first[1:] = (q[1:] != q[:-1]) | (ids[1:] != ids[:-1])
        q, ids, distances = q[first], ids[first], distances[first]
        bounds = np.searchsorted(q, np.arange(len(queries) + 1)).tolist()
        pairs = list(zip(ids.tolist(), distances.tolist(), strict=True))
        return [pairs[bounds[i] : bounds[i + 1]] for i in range(len(queries))]

    # Internals: callers hold self._lock.

    def _candidates(self, query_words: np.ndarray, probes: np.ndarray) -> tuple[np.ndarray, ...]:
        """(query number, slot) pairs worth verifying: bucket hits plus the whole delta."""
        n = len(query_words)
        keys = (query_words.view(np.uint16)[:, :, None] ^ probes).astype(np.int64)
        at = (keys + (_ROWS * (_KEYS + 1))[None, :, None]).ravel()  # into the flattened _starts
        lo = self._starts.take(at)
        lengths = self._starts.take(at + 1) - lo
        total = int(lengths.sum())
        # Concatenate the bucket ranges without a Python loop.
        offsets = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
        slots = self._order.take(offsets + np.arange(total)).astype(np.int64)
        q = np.repeat(np.repeat(np.arange(n), _CHUNKS * len(probes)), lengths)
        delta = self._delta()
        if len(delta):
            q = np.concatenate([q, np.repeat(np.arange(n), len(delta))])
            slots = np.concatenate([slots, np.tile(delta, n)])
        return q, slots

    def _scan(self, query_words: np.ndarray, max_distance: int) -> tuple[np.ndarray, ...]:
        """(query number, slot, distance) of every live slot within reach, by brute force."""
        live = np.flatnonzero(self._live)
        words = self._words[live]
        found = []
        for i, query in enumerate(query_words):
            distances = _distances(words, np.broadcast_to(query, words.shape))
            near = np.flatnonzero(distances <= max_distance)
            found.append((np.full(len(near), i), live[near], distances[near]))
        return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))

    def _delta(self) -> np.ndarray:
        if self._delta_cache is None:
            parts = self._delta_parts
            self._delta_cache = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return self._delta_cache

    def _add(self, ids: Sequence[int], words: np.ndarray) -> None:
        last = {int(signal_id): i for i, signal_id in enumerate(ids)}  # a repeated id: last wins
        if len(last) < len(ids):
            words = words[list(last.values())]
        self._remove(last.keys())
        slots = self._allocate(len(last))
        self._words[slots] = words
        self._ids[slots] = list(last)
        self._live[slots] = True
        self._recent.update(zip(last, slots.tolist(), strict=True))
        self._count += len(slots)
        self._delta_parts.append(slots)
        self._delta_size += len(slots)
        self._delta_cache = None

    def _remove(self, ids: Iterable[int]) -> None:
        wanted = np.fromiter((int(i) for i in ids), dtype=np.int64)
        recent = [self._recent.pop(i) for i in wanted.tolist() if i in self._recent]
        at = np.searchsorted(self._base_ids, wanted).clip(max=max(len(self._base_ids) - 1, 0))
        if len(self._base_ids):
            slots = self._base_slots[at[self._base_ids[at] == wanted]]
            recent.extend(np.unique(slots[self._live[slots]]).tolist())
        self._live[recent] = False
        self._removed.extend(recent)
        self._count -= len(recent)

    def _allocate(self, n: int) -> np.ndarray:
        reused = self._free[len(self._free) - min(n, len(self._free)) :]
        del self._free[len(self._free) - len(reused) :]
        fresh = n - len(reused)
        if self._used + fresh > len(self._ids):
            self._grow(max(self._used + fresh, 2 * len(self._ids), 1024))
        slots = np.concatenate(
            [np.array(reused, dtype=np.int64), np.arange(self._used, self._used + fresh)]
        )
        self._used += fresh
        return slots

    def _grow(self, capacity: int) -> None:
        def grown(a: np.ndarray) -> np.ndarray:
            out = np.zeros((capacity, *a.shape[1:]), dtype=a.dtype)
            out[: len(a)] = a
            return out

        self._words, self._ids = grown(self._words), grown(self._ids)
        self._live, self._in_base = grown(self._live), grown(self._in_base)

    def _merge_if_due(self) -> None:
        if self._delta_size + len(self._removed) >= self._merge_every:
            self._merge()

    def _merge(self) -> None:
        """Fold the delta into the buckets and drop removed slots, in one linear pass."""
        removed = np.array(self._removed, dtype=np.int64)
        gone = removed[self._in_base[removed]]
        added = self._delta()
        added = added[self._live[added]]
        order, starts = self._order, self._starts - _ROWS[:, None] * self._order.shape[1]
        if len(gone):
            kept = order.shape[1] - len(gone)
            order = order[self._live[order]].reshape(_CHUNKS, kept)
            starts[:, 1:] -= np.cumsum(self._bucket_counts(gone), axis=1)
        if len(added) * 4 >= order.shape[1]:  # mostly new (the first load): sort from scratch
            slots = np.concatenate([order[0].astype(np.int64), added])
            chunks = self._words[slots].view(np.uint16)
            order = np.stack([slots[np.argsort(chunks[:, c], kind="stable")] for c in _ROWS])
            starts[:, 1:] = np.cumsum(self._bucket_counts(slots), axis=1)
        elif len(added):  # insert each new slot at the end of its bucket in every row
            base = order.shape[1]
            chunks = self._words[added].view(np.uint16).astype(np.int64)
            at = starts[_ROWS[None, :], chunks + 1] + _ROWS * base  # (added, row) positions
            flat = np.insert(order.ravel(), at.T.ravel(), np.tile(added, _CHUNKS))
            order = flat.reshape(_CHUNKS, base + len(added))
            starts[:, 1:] += np.cumsum(self._bucket_counts(added), axis=1)
        self._order = order.astype(np.int32, copy=False)
        self._starts = starts + _ROWS[:, None] * self._order.shape[1]
        self._in_base[gone] = False
        self._in_base[added] = True
        if len(gone):
            kept = self._live[self._base_slots]
            self._base_ids, self._base_slots = self._base_ids[kept], self._base_slots[kept]
        if len(added):
            new_ids = self._ids[added]
            by_id = np.argsort(new_ids)
            at = np.searchsorted(self._base_ids, new_ids[by_id])
            self._base_ids = np.insert(self._base_ids, at, new_ids[by_id])
            self._base_slots = np.insert(self._base_slots, at, added[by_id])
        self._recent = {}
        self._free.extend(removed.tolist())
        self._removed = []
        self._delta_parts, self._delta_size, self._delta_cache = [], 0, None

    def _bucket_counts(self, slots: np.ndarray) -> np.ndarray:
        """(16, 65536) counts of `slots` per chunk value, per chunk."""
        chunks = self._words[slots].view(np.uint16).astype(np.int64) + _ROWS * _KEYS
        return np.bincount(chunks.ravel(), minlength=_CHUNKS * _KEYS).reshape(_CHUNKS, _KEYS)


# The process's index, following the feed.


class _Follower:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: PdqIndex | None = None
        self.seq = 0  # the last feed event applied
        self.checked = -math.inf  # monotonic time at which the last catch-up began


_follower = _Follower()
_EVENT_PAGE = 10_000


def current_index(max_age: float = REFRESH_SECONDS) -> PdqIndex:
    """The process's PDQ index, caught up with the feed if it was last checked `max_age` ago."""
    follower = _follower
    index = follower.index
    if index is not None and time.monotonic() - follower.checked < max_age:
        return index
    # While one thread catches up, the others answer from the index as it is.
    if not follower.lock.acquire(blocking=index is None):
        return index  # type: ignore[return-value]  # only None when blocking
    try:
        if follower.index is None:
            _load(follower)
        elif time.monotonic() - follower.checked >= max_age:
            _catch_up(follower)
        return follower.index  # type: ignore[return-value]  # set by _load
    finally:
        follower.lock.release()


def reset_current_index() -> None:
    """Forget the process's index, so the next current_index() loads it afresh (for tests)."""
    with _follower.lock:
        _follower.index, _follower.seq, _follower.checked = None, 0, -math.inf


def _load(follower: _Follower) -> None:
    began = time.monotonic()
    # Read the feed position first: what commits during the scan is replayed by _catch_up, and
    # replaying an add or a remove that the scan already reflects changes nothing.
    seq = FeedEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    rows = (
        Signal.objects.filter(signal_type=Signal.SignalType.PDQ, status=Signal.Status.ACTIVE)
        .order_by()
        .values_list("id", "value")
        .iterator(chunk_size=20_000)
    )
    index = PdqIndex.from_pairs(_well_formed(rows))
    follower.index, follower.seq = index, seq
    _catch_up(follower)
    follower.checked = began
    logger.info("PDQ index loaded: %d hashes in %.1f s", len(index), time.monotonic() - began)


def _well_formed(rows: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    for signal_id, value in rows:
        if _HEX.fullmatch(value):
            yield signal_id, value
        else:
            logger.warning("PDQ signal %d has a malformed value: left out of matching", signal_id)


def _catch_up(follower: _Follower) -> None:
    """Apply the feed events after the last one applied, a page at a time."""
    began = time.monotonic()
    index = follower.index
    assert index is not None
    while True:
        page = list(
            FeedEvent.objects.filter(seq__gt=follower.seq)
            .order_by("seq")
            .values_list(
                "seq",
                "action",
                "signal_id",
                "signal__signal_type",
                "signal__status",
                "signal__value",
            )[:_EVENT_PAGE]
        )
        # Within a page only each signal's last event counts; an add counts only if the signal
        # is a well-formed PDQ hash still active now (a later remove may already be committed).
        wanted: dict[int, str | None] = {}
        for _, action, signal_id, signal_type, status, value in page:
            keep = (
                action == FeedEvent.Action.ADD
                and signal_type == Signal.SignalType.PDQ
                and status == Signal.Status.ACTIVE
                and _HEX.fullmatch(value) is not None
            )
            wanted[signal_id] = value if keep else None
        index.remove([i for i, v in wanted.items() if v is None])
        adds = [(i, v) for i, v in wanted.items() if v is not None]
        if adds:
            index.add([i for i, _ in adds], [v for _, v in adds])
        if page:
            follower.seq = page[-1][0]
        if len(page) < _EVENT_PAGE:
            break
    follower.checked = began
