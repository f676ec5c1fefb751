"""EXIF orientation: read from JPEG bytes, and a same-length copy patched to orientation 1."""

import io

import numpy as np
import pytest
from PIL import Image

from hashing_wasm import ExifError, is_jpeg, read_orientation, with_orientation_reset


def jpeg_with_orientation(orientation: int, *, swap_byte_order: bool = False) -> bytes:
    """A small JPEG carrying an EXIF orientation tag (Pillow writes one TIFF byte order)."""
    pixels = np.random.default_rng(orientation).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Maker"  # another tag before orientation
    exif[0x0112] = orientation
    Image.fromarray(pixels).save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    return _swap_byte_order(data) if swap_byte_order else data


def _tiff_start(data: bytes) -> int:
    return data.index(b"Exif\x00\x00") + 6


def _swap_byte_order(data: bytes) -> bytes:
    """Rewrite a one-IFD EXIF block in the other TIFF byte order (II <-> MM)."""
    buffer = bytearray(data)
    tiff = _tiff_start(data)
    old = "little" if data[tiff : tiff + 2] == b"II" else "big"
    new = "big" if old == "little" else "little"

    def swap(offset: int, width: int) -> int:
        value = int.from_bytes(data[offset : offset + width], old)
        buffer[offset : offset + width] = value.to_bytes(width, new)
        return value

    buffer[tiff : tiff + 2] = b"MM" if new == "big" else b"II"
    swap(tiff + 2, 2)
    ifd = tiff + swap(tiff + 4, 4)
    for n in range(swap(ifd, 2)):
        entry = ifd + 2 + 12 * n
        swap(entry, 2)
        kind, items = swap(entry + 2, 2), swap(entry + 4, 4)
        if kind == 3 and items == 1:
            swap(entry + 8, 2)
        elif not (kind == 2 and items <= 4):
            swap(entry + 8, 4)
    return bytes(buffer)


def _with_bad_ifd_offset(data: bytes) -> bytes:
    tiff = _tiff_start(data)
    return data[: tiff + 4] + b"\x7f\xff\xff\x7f" + data[tiff + 8 :]


def pillow_orientation(data: bytes) -> int | None:
    return Image.open(io.BytesIO(data)).getexif().get(0x0112)


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("swap_byte_order", [False, True])
def test_it_reads_and_resets_the_orientation(orientation, swap_byte_order):
    data = jpeg_with_orientation(orientation, swap_byte_order=swap_byte_order)
    assert pillow_orientation(data) == orientation
    assert read_orientation(data) == orientation
    patched = with_orientation_reset(data)
    assert len(patched) == len(data)
    assert read_orientation(patched) == 1
    assert pillow_orientation(patched) == 1
    assert sum(a != b for a, b in zip(data, patched, strict=True)) <= 1  # one byte at most
    stored = np.asarray(Image.open(io.BytesIO(data)))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(patched))), stored)


def test_it_reads_the_reference_photos(testdata):
    if testdata is None:
        for orientation in (1, 3, 6, 8):
            assert read_orientation(jpeg_with_orientation(orientation)) == orientation
        return
    folder = testdata / "threatexchange/pdq/data/reg-test-input/exif-rotn"
    for orientation in (1, 3, 6, 8):
        data = (folder / f"exif-rotn-{orientation}.jpg").read_bytes()
        assert read_orientation(data) == orientation
        assert pillow_orientation(with_orientation_reset(data)) == 1


def test_it_finds_no_orientation_where_there_is_none():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    plain = out.getvalue()
    assert read_orientation(plain) is None
    assert with_orientation_reset(plain) == plain
    assert read_orientation(jpeg_with_orientation(0)) is None  # out of range: browsers ignore it


def test_it_recognises_jpegs():
    assert is_jpeg(jpeg_with_orientation(1))
    assert not is_jpeg(b"\x89PNG\r\n\x1a\n")
    assert not is_jpeg(b"")


@pytest.mark.parametrize(
    ("cut", "match"),
    [
        (lambda d: b"", "not a JPEG"),
        (lambda d: b"\x89PNG\r\n\x1a\n" + d[8:], "not a JPEG"),
        (lambda d: d[:2], "truncated"),
        (lambda d: d[:5], "truncated"),
        (lambda d: d[: d.index(b"Exif") + 10], "truncated"),
        (lambda d: d[:2] + b"\x00" + d[3:], "expected a marker"),
        (lambda d: d.replace(b"Exif\x00\x00MM", b"Exif\x00\x00XX"), "byte order"),
        (_with_bad_ifd_offset, "outside"),
    ],
)
def test_it_refuses_truncated_or_corrupt_headers(cut, match):
    broken = cut(jpeg_with_orientation(6))
    with pytest.raises(ExifError, match=match):
        read_orientation(broken)
    with pytest.raises(ExifError):
        with_orientation_reset(broken)


def test_it_survives_every_truncation_of_the_headers():
    data = jpeg_with_orientation(6)
    app1 = data.index(b"\xff\xe1")
    exif_end = app1 + 2 + int.from_bytes(data[app1 + 2 : app1 + 4], "big")
    for length in range(data.index(b"\xff\xda")):
        if length >= exif_end:
            assert read_orientation(data[:length]) == 6
        else:
            with pytest.raises(ExifError):
                read_orientation(data[:length])
