"""Hash strings, distances, the match rule, and refusals of bad pixel input."""

import pytest

from hashing_wasm import (
    HashFormatError,
    HashingError,
    PixelBufferError,
    hamming_distance,
    is_pdq_match,
    parse_pdq_hash,
    pdq_from_pixels,
    pdq_from_rgb,
    pdq_from_rgba,
    validate_pdq_hash,
)

# A real photo's hash (bridge, full resolution): exactly 128 bits set.
BRIDGE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def flip_bits(value: str, count: int) -> str:
    return f"{int(value, 16) ^ ((1 << count) - 1):064x}"


def test_it_measures_hamming_distance():
    assert hamming_distance(BRIDGE, BRIDGE) == 0
    assert hamming_distance(BRIDGE, flip_bits(BRIDGE, 7)) == 7
    assert hamming_distance("0" * 64, "f" * 64) == 256
    assert hamming_distance(BRIDGE.upper(), BRIDGE) == 0


def test_it_matches_at_31_bits_but_not_32():
    assert is_pdq_match(BRIDGE, flip_bits(BRIDGE, 31))
    assert not is_pdq_match(BRIDGE, flip_bits(BRIDGE, 32))


def test_it_never_matches_a_hash_of_low_quality():
    assert is_pdq_match(BRIDGE, BRIDGE, first_quality=50, second_quality=100)
    assert not is_pdq_match(BRIDGE, BRIDGE, first_quality=49)
    assert not is_pdq_match(BRIDGE, BRIDGE, second_quality=0)


def test_it_accepts_a_real_hash_and_lowercases_it():
    assert validate_pdq_hash(BRIDGE.upper(), quality=100) == BRIDGE


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0" * 64, "all zeros"),
        ("f" * 64, "256 bits set"),
        ("0" * 32 + "f" * 31 + "e", "127 bits set"),
        (BRIDGE[:-1], "64 hex digits"),
        (BRIDGE + "0", "64 hex digits"),
        ("", "64 hex digits"),
        ("g" + BRIDGE[1:], "hex digits"),
        (" " + BRIDGE[1:], "hex digits"),
        ("0x" + BRIDGE[2:], "hex digits"),
        ("_" + BRIDGE[1:], "hex digits"),
        ("é" + BRIDGE[1:], "hex digits"),
    ],
)
def test_it_refuses_malformed_and_degenerate_hashes(value, reason):
    with pytest.raises(HashFormatError, match=reason):
        validate_pdq_hash(value)


@pytest.mark.parametrize("quality", [49, 0, -1, 101, "100", True])
def test_it_refuses_low_or_impossible_quality(quality):
    with pytest.raises(HashFormatError, match="quality"):
        validate_pdq_hash(BRIDGE, quality=quality)


def test_it_refuses_non_strings_as_hashes():
    with pytest.raises(HashFormatError, match="string"):
        parse_pdq_hash(12345)  # type: ignore[arg-type]
    with pytest.raises(HashFormatError):
        hamming_distance(BRIDGE, "nothex")


@pytest.mark.parametrize(
    ("size", "width", "height", "match"),
    [
        (100 * 100 * 4 - 1, 100, 100, "needs 40000"),
        (100 * 100 * 4 + 4, 100, 100, "needs 40000"),
        (100 * 100 * 3, 100, 100, "needs 40000"),
        (0, 10, 10, "needs 400"),
        (16, -2, -2, "negative"),
    ],
)
def test_it_refuses_a_buffer_that_does_not_fit_the_size(size, width, height, match):
    with pytest.raises(PixelBufferError, match=match):
        pdq_from_rgba(bytes(size), width, height)


def test_it_refuses_odd_arguments_with_a_clear_error():
    with pytest.raises(PixelBufferError, match="width must be an int"):
        pdq_from_rgb(bytes(300), 10.0, 10)  # type: ignore[arg-type]
    with pytest.raises(PixelBufferError, match="channels"):
        pdq_from_pixels(bytes(500), 10, 10, 5)
    with pytest.raises(PixelBufferError, match="bytes-like"):
        pdq_from_rgb("not pixels", 1, 1)  # type: ignore[arg-type]
    with pytest.raises(HashingError):  # every refusal shares one base class
        pdq_from_rgb(b"", 1, 1)


def test_it_checks_the_buffer_even_for_images_too_small_to_hash():
    assert pdq_from_rgba(bytes(4 * 4 * 4), 4, 4).quality == 0
    with pytest.raises(PixelBufferError):
        pdq_from_rgba(bytes(5), 4, 4)
