"""EXIF orientation in JPEG bytes: read it, and make a same-length copy whose orientation says 1.

No PDQ reference applies EXIF orientation, but browsers always do when they decode an image (in
Chromium, `imageOrientation: "none"` behaves like "from-image"). To hash the stored orientation, as
partners' tools do, the page decodes a copy of the file whose orientation tag is patched to 1 in
place; to hash what the person sees, it decodes the original. The reader walks the JPEG markers up
to the first scan, finds the first APP1 "Exif" segment, and reads tag 0x0112 from IFD0 the way
Chromium does (type SHORT, count 1), in either TIFF byte order. Bad headers raise ExifError.
"""

from collections.abc import Buffer
from typing import Literal

from hashing_wasm.errors import ExifError

ByteOrder = Literal["little", "big"]

ORIENTATION_TAG = 0x0112
_SHORT = 3
_SOI = b"\xff\xd8"
_EXIF_HEADER = b"Exif\x00\x00"
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})  # no length field follows these
_SOS, _EOI, _APP1 = 0xDA, 0xD9, 0xE1


def is_jpeg(data: Buffer) -> bool:
    """True when the bytes start with the JPEG start-of-image marker."""
    return _byte_view(data)[:2].tobytes() == _SOI


def read_orientation(data: Buffer) -> int | None:
    """EXIF orientation (1..8) of JPEG bytes; None without a valid orientation tag."""
    found = _find_orientation(_byte_view(data))
    if found is None:
        return None
    value = found[1]
    return value if 1 <= value <= 8 else None


def with_orientation_reset(data: Buffer) -> bytes:
    """A copy of JPEG bytes, same length, with the EXIF orientation patched to 1 (if present)."""
    copy = bytearray(_byte_view(data))
    found = _find_orientation(memoryview(copy))
    if found is not None:
        offset, _value, byte_order = found
        copy[offset : offset + 2] = (1).to_bytes(2, byte_order)
    return bytes(copy)


def _byte_view(data: Buffer) -> memoryview:
    """Flat bytes of a buffer, or of a JavaScript Uint8Array under Pyodide (one copy)."""
    to_memoryview = getattr(data, "to_memoryview", None)
    view = to_memoryview() if to_memoryview is not None else memoryview(data)
    return view if view.format == "B" and view.ndim == 1 else view.cast("B")


def _find_orientation(data: memoryview) -> tuple[int, int, ByteOrder] | None:
    """(absolute offset of the value, value, "big"/"little") of the orientation tag, or None."""
    if data[:2].tobytes() != _SOI:
        raise ExifError("not a JPEG: the file does not start with the FFD8 marker")
    size = len(data)
    position = 2
    while True:
        if position >= size:
            raise ExifError("truncated JPEG: the headers end before the image data")
        if data[position] != 0xFF:
            raise ExifError(f"corrupt JPEG: expected a marker at byte {position}")
        while position < size and data[position] == 0xFF:  # fill bytes before a marker
            position += 1
        if position >= size:
            raise ExifError("truncated JPEG: the headers end before the image data")
        marker = data[position]
        position += 1
        if marker in (_SOS, _EOI):
            return None  # EXIF comes before the image data; there is none
        if marker in _STANDALONE_MARKERS:
            continue
        if position + 2 > size:
            raise ExifError(f"truncated JPEG: segment FF{marker:02X} has no length")
        length = int.from_bytes(data[position : position + 2], "big")
        end = position + length
        if length < 2 or end > size:
            raise ExifError(
                f"truncated or corrupt JPEG: segment FF{marker:02X} at byte {position - 2} "
                f"claims {length} bytes, {size - position} remain"
            )
        body = position + 2
        if marker == _APP1 and data[body : body + 6].tobytes() == _EXIF_HEADER:
            return _orientation_in_tiff(data, body + 6, end)
        position = end


def _orientation_in_tiff(
    data: memoryview, start: int, end: int
) -> tuple[int, int, ByteOrder] | None:
    """Find the orientation entry of IFD0 in the TIFF structure at data[start:end]."""

    def number(offset: int, width: int) -> int:
        if offset < start or offset + width > end:
            raise ExifError(f"corrupt EXIF: offset {offset - start} lies outside the segment")
        return int.from_bytes(data[offset : offset + width], byte_order)

    mark = data[start : start + 2].tobytes()
    if mark not in (b"II", b"MM"):
        raise ExifError("corrupt EXIF: unknown TIFF byte order")
    byte_order: ByteOrder = "little" if mark == b"II" else "big"
    if number(start + 2, 2) != 42:
        raise ExifError("corrupt EXIF: bad TIFF header")
    ifd = start + number(start + 4, 4)
    entries = number(ifd, 2)
    for index in range(entries):
        entry = ifd + 2 + 12 * index
        if number(entry, 2) != ORIENTATION_TAG:
            continue
        if number(entry + 2, 2) != _SHORT or number(entry + 4, 4) != 1:
            return None  # Chromium ignores an orientation that is not one SHORT; so do we
        return entry + 8, number(entry + 8, 2), byte_order
    return None
