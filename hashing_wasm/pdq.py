"""PDQ, Meta's perceptual image hash, as its reference core computes it, plus the rules to use it.

From a pixel buffer (RGB, RGBA, grey) we take the exact 64x64 filtered luma (see downscale.py), a
16x16 DCT of it (frequencies 1..16, in double precision), and set bit k = 16 i + j when coefficient
(i, j) is strictly above the median; the 256-bit integer prints as 64 hex digits. The quality is
the reference's gradient sum. The 8 dihedral hashes (rotations and mirrors) come from the same DCT
with the signs and transposes of the reference. Images under 5 pixels on a side get the reference's
all-zero hash with quality 0. The small functions at the end check hash strings (format and the
degenerate hashes the registry refuses), measure Hamming distance and apply the match rule.
"""

import math
from collections.abc import Buffer
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import pairwise, repeat
from operator import abs as absolute
from operator import add, floordiv, mul, sub

from hashing_wasm.downscale import (
    MIN_HASHABLE_DIM,
    SIZE,
    LumaGrid,
    as_byte_view,
    check_pixels,
    luma_grid,
)
from hashing_wasm.errors import HashFormatError

HASH_BITS = 256
HEX_LENGTH = 64
ZERO_HASH = "0" * HEX_LENGTH
MATCH_DISTANCE = 31  # a match is a Hamming distance of at most 31 bits
MIN_QUALITY = 50  # hashes of lower quality are not reliable and never match
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
)
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DCT_SIZE = 16


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A PDQ hash (64 lowercase hex digits) and its quality (0..100)."""

    hash: str
    quality: int

    def as_dict(self) -> dict[str, str | int]:
        """JSON-ready form, as the browser worker posts it."""
        return {"pdq": self.hash, "quality": self.quality}


@dataclass(frozen=True, slots=True)
class PdqDihedral:
    """The 8 dihedral PDQ hashes of one image, in DIHEDRAL_NAMES order, and the quality."""

    hashes: tuple[str, ...]
    quality: int

    @property
    def original(self) -> PdqHash:
        """The plain PDQ hash."""
        return PdqHash(self.hashes[0], self.quality)

    def as_dict(self) -> dict[str, str | int]:
        """JSON-ready form: one key per variant name, plus "quality"."""
        result: dict[str, str | int] = dict(zip(DIHEDRAL_NAMES, self.hashes, strict=True))
        result["quality"] = self.quality
        return result


def pdq_from_rgba(pixels: Buffer, width: int, height: int) -> PdqHash:
    """PDQ of an RGBA buffer (a canvas's ImageData.data); alpha is ignored, as in the reference."""
    return pdq_from_pixels(pixels, width, height, 4)


def pdq_from_rgb(pixels: Buffer, width: int, height: int) -> PdqHash:
    """PDQ of a packed RGB buffer (3 bytes per pixel, rows top to bottom)."""
    return pdq_from_pixels(pixels, width, height, 3)


def pdq_from_pixels(pixels: Buffer, width: int, height: int, channels: int) -> PdqHash:
    """PDQ of a buffer of 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA) bytes per pixel."""
    grid = _grid_or_none(pixels, width, height, channels)
    if grid is None:
        return PdqHash(ZERO_HASH, 0)
    return PdqHash(_hash_hex(_flatten(dct16(grid.values()))), grid_quality(grid))


def pdq_dihedral_from_pixels(
    pixels: Buffer, width: int, height: int, channels: int = 4
) -> PdqDihedral:
    """The 8 dihedral hashes (see DIHEDRAL_NAMES) of a pixel buffer, from one DCT."""
    grid = _grid_or_none(pixels, width, height, channels)
    if grid is None:
        return PdqDihedral((ZERO_HASH,) * len(DIHEDRAL_NAMES), 0)
    flat = _flatten(dct16(grid.values()))
    hashes = tuple(
        _hash_hex([sign * flat[source] for source, sign in variant]) for variant in _VARIANTS
    )
    return PdqDihedral(hashes, grid_quality(grid))


def _grid_or_none(pixels: Buffer, width: int, height: int, channels: int) -> LumaGrid | None:
    """The luma grid, or None for images too small to hash (after checking the buffer)."""
    view = as_byte_view(pixels)
    check_pixels(view, width, height, channels)
    if width < MIN_HASHABLE_DIM or height < MIN_HASHABLE_DIM:
        return None
    return luma_grid(view, width, height, channels)


def grid_quality(grid: LumaGrid) -> int:
    """The reference's quality: sum of |trunc(100 (u - v) / 255)| over neighbours, // 90, <= 100."""
    rows = grid.numerators
    cols = [list(col) for col in zip(*rows, strict=True)]
    unit = 255 * grid.denominator  # |u - v| * 100 // unit is trunc(|u - v| * 100 / 255), exactly
    total = 0
    for lines in (rows, cols):
        for first, second in pairwise(lines):
            steps = map(mul, map(absolute, map(sub, first, second)), repeat(100))
            total += sum(map(floordiv, steps, repeat(unit)))
    return min(100, total // 90)


def _cos_pi_over_128() -> list[float]:
    """cos(pi m / 128) for m = 0..64, correctly rounded, so every platform gets the same table.

    The C library's cos differs in the last bit between platforms (glibc here, musl in Pyodide),
    which would flip bits of nearly flat images; a decimal Taylor series does not.
    """
    with localcontext() as context:
        context.prec = 40
        pi = Decimal("3.141592653589793238462643383279502884197169399375")
        values = []
        for m in range(SIZE + 1):
            x = pi * m / 128
            term, total, n = Decimal(1), Decimal(1), 0
            while abs(term) > Decimal("1e-38"):
                n += 2
                term = -term * x * x / (n * (n - 1))
                total += term
            values.append(float(total))
    return values


def _dct_half_matrix() -> list[list[float]]:
    """First 32 columns of the 16x64 DCT matrix; row i is (anti)symmetric about the middle."""
    cosines = _cos_pi_over_128()

    def cos_pi(m: int) -> float:  # cos(pi m / 128) from the table, by symmetry
        m %= 256
        m = 256 - m if m > 128 else m
        return -cosines[128 - m] if m > SIZE else cosines[m]

    scale = math.sqrt(2.0 / SIZE)
    return [
        [scale * cos_pi((i + 1) * (2 * j + 1)) for j in range(SIZE // 2)] for i in range(_DCT_SIZE)
    ]


_DCT_HALF = _dct_half_matrix()


def _fold(vector: list[float] | tuple[float, ...]) -> tuple[list[float], list[float]]:
    """Sums and differences of mirrored entries: row i of the DCT uses sums when i is odd."""
    front, back = vector[: SIZE // 2], vector[: SIZE // 2 - 1 : -1]
    return list(map(add, front, back)), list(map(sub, front, back))


def _apply_dct(vectors: list[list[float]] | list[tuple[float, ...]]) -> list[list[float]]:
    """For each input vector of 64, its 16 DCT coefficients; result[i][v] for coefficient i."""
    folded = [_fold(v) for v in vectors]
    return [
        [sum(map(mul, basis, pair[i & 1 ^ 1])) for pair in folded]
        for i, basis in enumerate(_DCT_HALF)
    ]


def dct16(values: list[list[float]]) -> list[list[float]]:
    """B = D A D^T: the 16x16 low-frequency DCT of a 64x64 grid; B[i][j], i vertical."""
    # D A: transform every column; then transform every row of the 16x64 result.
    per_column = _apply_dct(list(zip(*values, strict=True)))
    return [list(row) for row in zip(*_apply_dct(per_column), strict=True)]


def _flatten(matrix: list[list[float]]) -> list[float]:
    return [v for row in matrix for v in row]


def _hash_hex(coefficients: list[float]) -> str:
    """Bit k is set when coefficient k is above the lower median; 64 hex digits, bit 255 first."""
    median = sorted(coefficients)[HASH_BITS // 2 - 1]
    value = 0
    for k, c in enumerate(coefficients):
        if c > median:
            value |= 1 << k
    return f"{value:064x}"


def _variant(transpose: bool, negate_when: str) -> tuple[tuple[int, float], ...]:
    """(source index, sign) for each flat position of one dihedral variant of the DCT."""
    table: list[tuple[int, float]] = [(0, 1.0)] * (_DCT_SIZE * _DCT_SIZE)
    for i in range(_DCT_SIZE):
        for j in range(_DCT_SIZE):
            negate = {
                "never": False,
                "i even": i % 2 == 0,
                "j even": j % 2 == 0,
                "i+j odd": (i + j) % 2 == 1,
            }[negate_when]
            target = j * _DCT_SIZE + i if transpose else i * _DCT_SIZE + j
            table[target] = (i * _DCT_SIZE + j, -1.0 if negate else 1.0)
    return tuple(table)


# The reference's dihedral table: B from A, transposed or not, and which coefficients change sign.
_VARIANTS = (
    _variant(False, "never"),  # original
    _variant(True, "j even"),  # rotate90
    _variant(False, "i+j odd"),  # rotate180
    _variant(True, "i even"),  # rotate270
    _variant(False, "i even"),  # flipx
    _variant(False, "j even"),  # flipy
    _variant(True, "never"),  # flipplus1
    _variant(True, "i+j odd"),  # flipminus1
)


def parse_pdq_hash(value: str) -> int:
    """The 256-bit integer of a 64-hex-digit PDQ hash; HashFormatError if malformed."""
    if not isinstance(value, str):
        raise HashFormatError(f"a PDQ hash is a string, got {type(value).__name__}")
    if len(value) != HEX_LENGTH:
        raise HashFormatError(f"a PDQ hash has 64 hex digits, got {len(value)} characters")
    if not _HEX_DIGITS.issuperset(value):
        raise HashFormatError("a PDQ hash has only the hex digits 0-9 and a-f")
    return int(value, 16)


def hamming_distance(first: str, second: str) -> int:
    """Number of differing bits between two PDQ hashes (0..256)."""
    return (parse_pdq_hash(first) ^ parse_pdq_hash(second)).bit_count()


def validate_pdq_hash(value: str, quality: int | None = None) -> str:
    """Lowercase `value` if it is a usable PDQ hash; HashFormatError says what is wrong if not."""
    bits = parse_pdq_hash(value).bit_count()
    if bits == 0:
        raise HashFormatError("degenerate PDQ hash: all zeros (a blank, flat or tiny image)")
    if bits != HASH_BITS // 2:
        raise HashFormatError(f"degenerate PDQ hash: {bits} bits set, a real image sets 128")
    if quality is not None:
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100:
            raise HashFormatError(f"PDQ quality is an integer from 0 to 100, got {quality!r}")
        if quality < MIN_QUALITY:
            raise HashFormatError(f"PDQ quality {quality} is below {MIN_QUALITY}: not reliable")
    return value.lower()


def is_pdq_match(
    first: str,
    second: str,
    *,
    first_quality: int | None = None,
    second_quality: int | None = None,
    threshold: int = MATCH_DISTANCE,
) -> bool:
    """The match rule: distance <= 31, and every known quality at least 50."""
    for quality in (first_quality, second_quality):
        if quality is not None and quality < MIN_QUALITY:
            return False
    return hamming_distance(first, second) <= threshold
