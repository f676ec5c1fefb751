"""What the registry refuses: malformed and degenerate hash values.

Each check raises ValueError with a sentence a person or a partner can act on.
"""

import re

from registry.models import Signal

EMPTY_FILE_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
MIN_PDQ_QUALITY = 50
_MD5 = re.compile(r"[0-9a-f]{32}")
_PDQ = re.compile(r"[0-9a-f]{64}")


def check_md5(value: str) -> str:
    """A lower-case MD5 of a non-empty file."""
    value = value.strip().lower()
    if not _MD5.fullmatch(value):
        raise ValueError("An MD5 hash is 32 hexadecimal characters.")
    if value == EMPTY_FILE_MD5:
        raise ValueError("This is the MD5 of an empty file, which protects nothing.")
    return value


def check_pdq(value: str, quality: int) -> str:
    """A PDQ hash that a matcher can use: well-formed, not degenerate, of sufficient quality."""
    value = value.strip().lower()
    if not _PDQ.fullmatch(value):
        raise ValueError("A PDQ hash is 64 hexadecimal characters.")
    if quality < MIN_PDQ_QUALITY:
        raise ValueError(
            f"PDQ quality {quality} is under {MIN_PDQ_QUALITY}: too unreliable to match."
        )
    bits = int(value, 16).bit_count()
    if bits != 128:
        raise ValueError(f"A PDQ hash of a real image has 128 bits set; this one has {bits}.")
    return value


def check_signal(signal_type: str, value: str, quality: int | None = None) -> str:
    """The normalised value, or ValueError saying what is wrong with it."""
    if signal_type in (Signal.SignalType.PHOTO_MD5, Signal.SignalType.VIDEO_MD5):
        return check_md5(value)
    if signal_type == Signal.SignalType.PDQ:
        return check_pdq(value, quality if quality is not None else 0)
    raise ValueError(f"Unknown signal type {signal_type!r}.")
