"""vPDQ, Meta's video hash: one PDQ hash per sampled frame, and the rule that matches two videos.

A video is sampled every `int(seconds_per_hash * fps)` frames (one frame per second by default, as
python-threatexchange does) and each sampled frame gets a plain PDQ hash of its full-size pixels;
a feature is (frame number, quality, hash, timestamp = frame number / fps). Two serialisations are
read and written: the reference's hash files (`frame,quality,hex,timestamp` per line) and
python-threatexchange's signal string (a JSON list of `"hex,quality,timestamp"`). Matching treats
each video as its set of unique frame hashes of quality >= 50: a query frame matches when any frame
of the other video is within distance 31, and the videos match when at least 80 % of the query's
frames match (and at least 0 % of the other's).
"""

import json
from collections.abc import Buffer, Iterable, Sequence
from dataclasses import dataclass

from hashing_wasm.errors import HashFormatError, HashingError, VpdqFormatError
from hashing_wasm.pdq import MATCH_DISTANCE, MIN_QUALITY, parse_pdq_hash, pdq_from_pixels

QUERY_MATCH_PERCENT = 80.0
COMPARED_MATCH_PERCENT = 0.0
TIMESTAMP_DECIMALS = 3
_CHUNK = 64  # frames tried first, around the same relative time in the other video
_BYTES = 32


@dataclass(frozen=True, slots=True)
class VpdqFeature:
    """One sampled frame: its number, PDQ quality, PDQ hash (64 hex digits) and time in seconds."""

    frame_number: int
    quality: int
    pdq_hex: str
    timestamp: float

    def __post_init__(self) -> None:
        if self.frame_number < 0:
            raise VpdqFormatError(f"frame number must not be negative, got {self.frame_number}")
        if not 0 <= self.quality <= 100:
            raise VpdqFormatError(f"quality must be 0..100, got {self.quality}")
        if not self.timestamp >= 0:  # also refuses NaN
            raise VpdqFormatError(f"timestamp must not be negative, got {self.timestamp}")
        try:
            parse_pdq_hash(self.pdq_hex)
        except HashFormatError as error:
            raise VpdqFormatError(f"frame {self.frame_number}: {error}") from None


@dataclass(frozen=True, slots=True)
class VpdqMatch:
    """Percentages of each video's unique, good-quality frames found in the other."""

    query_match_percent: float
    compared_match_percent: float

    def is_match(
        self,
        query_threshold: float = QUERY_MATCH_PERCENT,
        compared_threshold: float = COMPARED_MATCH_PERCENT,
    ) -> bool:
        """The vPDQ verdict: query >= 80 % and compared >= 0 % by default."""
        return (
            self.query_match_percent >= query_threshold
            and self.compared_match_percent >= compared_threshold
        )


def frame_interval(fps: float, seconds_per_hash: float = 1.0) -> int:
    """Hash every n-th frame: n = int(seconds_per_hash * fps), at least 1."""
    if not fps > 0 or not seconds_per_hash > 0:
        raise HashingError(
            f"fps and seconds_per_hash must be positive, got {fps}, {seconds_per_hash}"
        )
    return max(1, int(seconds_per_hash * fps))


def sampled_frame_numbers(frame_count: int, fps: float, seconds_per_hash: float = 1.0) -> range:
    """The frame numbers vPDQ hashes in a video of `frame_count` frames."""
    return range(0, max(0, frame_count), frame_interval(fps, seconds_per_hash))


def hash_frame(
    pixels: Buffer,
    width: int,
    height: int,
    *,
    frame_number: int,
    fps: float,
    channels: int = 4,
) -> VpdqFeature:
    """The vPDQ feature of one decoded frame (RGBA by default, as a canvas gives it)."""
    if not fps > 0:
        raise HashingError(f"fps must be positive, got {fps}")
    pdq = pdq_from_pixels(pixels, width, height, channels)
    return VpdqFeature(frame_number, pdq.quality, pdq.hash, frame_number / fps)


def to_threatexchange_json(features: Iterable[VpdqFeature]) -> str:
    """python-threatexchange's vPDQ signal string: a JSON list of "hex,quality,timestamp"."""
    return json.dumps(
        [f"{f.pdq_hex},{f.quality},{f.timestamp:.{TIMESTAMP_DECIMALS}f}" for f in features]
    )


def from_threatexchange_json(signal: str) -> list[VpdqFeature]:
    """Features from a python-threatexchange signal string (frame numbers are list positions)."""
    try:
        items = json.loads(signal or "[]")
    except ValueError:
        raise VpdqFormatError("vPDQ signal is not valid JSON") from None
    if not isinstance(items, list):
        raise VpdqFormatError("vPDQ signal must be a JSON list of strings")
    features = []
    for number, item in enumerate(items):
        parts = item.split(",") if isinstance(item, str) else []
        if len(parts) != 3:
            raise VpdqFormatError(f"vPDQ signal item {number} is not 'hex,quality,timestamp'")
        pdq_hex, quality, timestamp = parts
        features.append(_feature(str(number), quality, pdq_hex, timestamp, where=f"item {number}"))
    return features


def format_hash_file(features: Iterable[VpdqFeature]) -> str:
    """The reference's hash file: one `frame,quality,hex,timestamp` line per feature."""
    return "".join(
        f"{f.frame_number},{f.quality},{f.pdq_hex},{f.timestamp:.{TIMESTAMP_DECIMALS}f}\n"
        for f in features
    )


def parse_hash_file(text: str) -> list[VpdqFeature]:
    """Features from the reference's hash file format (blank lines are ignored)."""
    features = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.strip().split(",")
        if len(parts) != 4:
            raise VpdqFormatError(f"line {number} is not 'frame,quality,hex,timestamp'")
        features.append(_feature(*parts, where=f"line {number}"))
    return features


def _feature(frame: str, quality: str, pdq_hex: str, timestamp: str, *, where: str) -> VpdqFeature:
    try:
        return VpdqFeature(int(frame), int(quality), pdq_hex.strip().lower(), float(timestamp))
    except VpdqFormatError as error:
        raise VpdqFormatError(f"{where}: {error}") from None
    except ValueError:
        raise VpdqFormatError(f"{where}: frame, quality or timestamp is not a number") from None


def _usable(features: Iterable[VpdqFeature], min_quality: int) -> list[int]:
    """Unique hashes (first occurrence wins, as in the reference) of good-enough quality."""
    seen: dict[str, int] = {}
    for f in features:
        if f.pdq_hex not in seen:
            seen[f.pdq_hex] = f.quality
    return [int(h, 16) for h, quality in seen.items() if quality >= min_quality]


def _count_found(frames: Sequence[int], others: Sequence[int], threshold: int) -> int:
    """How many of `frames` lie within `threshold` bits of some frame in `others`."""
    chunks = [others[i : i + _CHUNK] for i in range(0, len(others), _CHUNK)]
    # Pigeonhole: within 31 bits, at least one of the 32 bytes of two hashes is identical, so only
    # frames sharing a byte (at the same place) with the query can match it.
    by_byte: list[dict[int, list[int]]] = [{} for _ in range(_BYTES)]
    for other in others:
        for table, byte in zip(by_byte, other.to_bytes(_BYTES), strict=True):
            table.setdefault(byte, []).append(other)
    found = 0
    for index, frame in enumerate(frames):
        # Similar videos match frames at similar times: try the same relative position first.
        nearby = chunks[index * len(chunks) // len(frames)]
        if min(map(int.bit_count, map(frame.__xor__, nearby))) <= threshold:
            found += 1
        elif threshold >= _BYTES:  # the pigeonhole no longer holds: compare with every frame
            found += min(map(int.bit_count, map(frame.__xor__, others))) <= threshold
        else:
            lists = [t.get(b, ()) for t, b in zip(by_byte, frame.to_bytes(_BYTES), strict=True)]
            found += any((frame ^ other).bit_count() <= threshold for other in set().union(*lists))
    return found


def match_vpdq(
    query: Iterable[VpdqFeature],
    compared: Iterable[VpdqFeature],
    *,
    min_quality: int = MIN_QUALITY,
    distance: int = MATCH_DISTANCE,
) -> VpdqMatch:
    """Percentages of matching frames in both directions (0 when a side has no usable frame)."""
    mine, theirs = _usable(query, min_quality), _usable(compared, min_quality)
    if not mine or not theirs:
        return VpdqMatch(0.0, 0.0)
    return VpdqMatch(
        _count_found(mine, theirs, distance) * 100 / len(mine),
        _count_found(theirs, mine, distance) * 100 / len(theirs),
    )


def is_vpdq_match(query: Iterable[VpdqFeature], compared: Iterable[VpdqFeature]) -> bool:
    """The vPDQ match rule with the reference's thresholds (80 % of the query's frames)."""
    return match_vpdq(query, compared).is_match()
