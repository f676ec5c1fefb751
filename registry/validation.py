"""What the registry refuses: malformed and degenerate hash values.

The PDQ and vPDQ rules are hashing_wasm's, the same code the browser runs. Each check raises
ValueError with a sentence a person or a partner can act on.
"""

import re

from hashing_wasm import (
    EMPTY_MD5,
    MIN_QUALITY,
    HashingError,
    VpdqFeature,
    from_threatexchange_json,
    to_threatexchange_json,
    validate_pdq_hash,
)

MIN_PDQ_QUALITY = MIN_QUALITY
_MD5 = re.compile(r"[0-9a-f]{32}")


def check_md5(value: str) -> str:
    """A lower-case MD5 of a non-empty file."""
    value = value.strip().lower()
    if not _MD5.fullmatch(value):
        raise ValueError("An MD5 hash is 32 hexadecimal characters.")
    if value == EMPTY_MD5:
        raise ValueError("This is the MD5 of an empty file, which protects nothing.")
    return value


def check_pdq(value: str, quality: int | None) -> str:
    """A PDQ hash that a matcher can use: well-formed, not degenerate, of sufficient quality."""
    try:
        return validate_pdq_hash(value.strip(), quality)
    except HashingError as exc:
        raise ValueError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None


def check_vpdq(frames: list[dict]) -> str:
    """A video's frame hashes, in python-threatexchange's signal format.

    Frames under quality 50 are kept (the matcher skips them, as the reference does), but the
    usable ones must be real PDQ hashes, and at least one frame must be usable.
    """
    try:
        features = [
            VpdqFeature(f["frame"], f["quality"], f["hash"].lower(), f["timestamp"]) for f in frames
        ]
        usable = [f for f in features if f.quality >= MIN_QUALITY]
        for feature in usable:
            validate_pdq_hash(feature.pdq_hex)
    except HashingError as exc:
        raise ValueError(f"vPDQ: {exc}.") from None
    if not usable:
        raise ValueError(
            f"No frame of this video has PDQ quality {MIN_QUALITY} or more, so it cannot be "
            "matched by content; its MD5 still protects exact copies."
        )
    return to_threatexchange_json(features)


def check_vpdq_signal(value: str) -> str:
    """A vPDQ hash in python-threatexchange's signal format, as partners send it to match."""
    try:
        features = from_threatexchange_json(value)
    except HashingError as exc:
        raise ValueError(f"vPDQ: {exc}.") from None
    if not features:
        raise ValueError("A vPDQ hash lists at least one frame.")
    return value
