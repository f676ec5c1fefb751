"""Fixtures for the hashing tests: the shared reference data, an oracle and image makers.

The oracle is `pdqhash` (Meta's C++ PDQ core). Reference data lives in ../shared/testdata/pdq beside
the repository; when it is absent, the tests that need it run on images generated here instead and
say so with a warning (never a silent skip).
"""

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "pdq"


def oracle_hex(bits: np.ndarray) -> str:
    """pdqhash's bit vector (bit 255 first) as 64 hex digits."""
    return f"{int(''.join(str(int(b)) for b in bits), 2):064x}"


class Oracle:
    """pdqhash on an RGB array: the reference answers."""

    @staticmethod
    def pdq(rgb: np.ndarray) -> tuple[str, int]:
        bits, quality = pdqhash.compute(np.ascontiguousarray(rgb[:, :, :3]))
        return oracle_hex(bits), int(quality)

    @staticmethod
    def dihedral(rgb: np.ndarray) -> tuple[list[str], int]:
        vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb[:, :, :3]))
        return [oracle_hex(v) for v in vectors], int(quality)


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    return Oracle()


def photo_like(height: int, width: int, seed: int) -> np.ndarray:
    """An RGB image with photo statistics: smooth colour fields, edges, texture and noise."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (max(2, height // 37), max(2, width // 41), 3), dtype=np.uint8)
    image = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    pixels = np.asarray(image).astype(np.int32)
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(3):  # a few hard-edged discs, as objects in a scene
        cy, cx = rng.integers(0, height), rng.integers(0, width)
        radius = rng.integers(1, max(2, min(height, width) // 3))
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 < radius**2
        pixels[inside] = rng.integers(0, 256, 3)
    pixels += rng.integers(-12, 13, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def make_photo() -> Callable[[int, int, int], np.ndarray]:
    return photo_like


@pytest.fixture(scope="session")
def testdata() -> Path | None:
    """The shared reference data folder, or None (with a warning) when it is not there."""
    if TESTDATA.is_dir():
        return TESTDATA
    message = (
        f"reference data not found at {TESTDATA}: checking against images generated here, "
        "with pdqhash as the oracle"
    )
    print(message)
    warnings.warn(message, stacklevel=1)
    return None
