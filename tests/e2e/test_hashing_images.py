"""A person's photos are fingerprinted in the browser as partners' tools would fingerprint them.

The tests load static/portal/hasher.js into the real Get Started page (the site's own origin, CSP
and WhiteNoise) and call it directly on the reference images of Meta's ThreatExchange repository,
then compare with pdqhash (Meta's C++ core) on the full-resolution pixels.
"""

import hashlib
import os
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from django.conf import settings
from PIL import Image, ImageOps

pytestmark = pytest.mark.browser

DATA = Path(settings.BASE_DIR).parent / "shared" / "testdata" / "pdq" / "threatexchange"
PDQ_DATA = DATA / "pdq" / "data"
EXIF = PDQ_DATA / "reg-test-input" / "exif-rotn"

# Agreement bounds with pdqhash on full resolution (the match threshold is 31 bits).
MAX_DISTANCE = 12
MAX_MEAN_DISTANCE = 5


def pdqhash_of(image: Image.Image) -> tuple[str, int]:
    vector, quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return f"{int(''.join(map(str, vector)), 2):064x}", quality


def distance(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def hash_with(browser_hasher, paths):
    browser_hasher.load(paths)
    return browser_hasher.hash_all()


def test_it_agrees_with_pdqhash_on_the_reference_images(browser_hasher, page):
    paths = [
        PDQ_DATA / "bridge-mods" / "aaa-orig.jpg",
        PDQ_DATA / "bridge-mods" / "sharpen-a-lot.jpg",
        PDQ_DATA / "bridge-mods" / "square-512x512.jpg",
        PDQ_DATA / "misc-images" / "c.png",
        PDQ_DATA / "misc-images" / "modes" / "CMYK.jpg",
        PDQ_DATA / "misc-images" / "modes" / "L.png",
        PDQ_DATA / "misc-images" / "modes" / "RGBA.png",
        PDQ_DATA / "misc-images" / "modes" / "P.png",
        PDQ_DATA / "reg-test-input" / "pen-and-coaster.png",
        EXIF / "exif-rotn-1.jpg",
    ]

    results = hash_with(browser_hasher, paths)

    distances = []
    for path, result in zip(paths, results, strict=True):
        assert result["kind"] == "image"
        assert result["item"]["photo_md5"] == hashlib.md5(path.read_bytes()).hexdigest()
        expected, quality = pdqhash_of(Image.open(path))
        assert quality >= 50
        (pdq,) = result["item"]["pdq"]
        assert pdq["quality"] >= 50
        distances.append(distance(pdq["hash"], expected))
    assert max(distances) <= MAX_DISTANCE, distances
    assert sum(distances) / len(distances) <= MAX_MEAN_DISTANCE, distances


def test_it_sends_both_orientations_of_a_jpeg_whose_exif_rotates_it(browser_hasher, page):
    paths = [EXIF / f"exif-rotn-{n}.jpg" for n in (1, 3, 6, 8)]

    results = hash_with(browser_hasher, paths)

    assert [len(r["item"]["pdq"]) for r in results] == [1, 2, 2, 2]
    assert [r["notes"] for r in results] == [
        [],
        ["two_orientations"],
        ["two_orientations"],
        ["two_orientations"],
    ]
    for path, result in zip(paths, results, strict=True):
        stored, *displayed = (p["hash"] for p in result["item"]["pdq"])
        image = Image.open(path)
        # First the stored orientation, as every reference tool hashes it...
        assert distance(stored, pdqhash_of(image)[0]) <= MAX_DISTANCE
        # ...then what the person sees, as a platform that bakes the rotation in would hash it.
        for hash_ in displayed:
            assert distance(hash_, pdqhash_of(ImageOps.exif_transpose(image))[0]) <= MAX_DISTANCE


def test_it_keeps_the_md5_when_an_image_cannot_give_a_pdq(browser_hasher, page, tmp_path):
    flat = tmp_path / "flat.png"
    Image.new("RGB", (300, 200), (128, 128, 128)).save(flat)
    tiff = tmp_path / "photo.tiff"
    Image.open(PDQ_DATA / "bridge-mods" / "aaa-orig.jpg").save(tiff)
    heic = tmp_path / "photo.heic"  # Chromium decodes no HEIC: its header is enough to know it
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + os.urandom(2000))

    flat_result, tiff_result, heic_result = hash_with(browser_hasher, [flat, tiff, heic])

    assert flat_result["notes"] == ["low_quality"]
    assert tiff_result["notes"] == heic_result["notes"] == ["cannot_decode"]
    for path, result in [(flat, flat_result), (tiff, tiff_result), (heic, heic_result)]:
        assert result["item"] == {
            "media_type": "image",
            "photo_md5": hashlib.md5(path.read_bytes()).hexdigest(),
        }


def test_it_refuses_bad_files_and_the_others_go_on(browser_hasher, page, tmp_path):
    good = PDQ_DATA / "bridge-mods" / "aaa-orig.jpg"
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(good.read_bytes()[:200] + os.urandom(50_000))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as f:
        f.truncate(2 * 1024**3)  # sparse: 2 GB long, nothing written
    text = tmp_path / "holiday.jpg"
    text.write_text("Dear diary,\n" * 200)

    results = hash_with(browser_hasher, [corrupt, empty, huge, text, good])

    assert results[:4] == [
        {"name": "corrupt.jpg", "code": "unreadable"},
        {"name": "empty.jpg", "code": "empty"},
        {"name": "huge.mp4", "code": "too_large"},
        {"name": "holiday.jpg", "code": "not_media"},
    ]
    assert results[4]["item"]["photo_md5"] == hashlib.md5(good.read_bytes()).hexdigest()
    assert len(results[4]["item"]["pdq"]) == 1


def test_it_cancels_a_file_waiting_its_turn(browser_hasher, page):
    browser_hasher.load([EXIF / "exif-rotn-1.jpg", EXIF / "exif-rotn-3.jpg"])

    first, second = page.evaluate("""async () => {
      const [first, second] = document.getElementById("under-test").files;
      const controller = new AbortController();
      const results = [window.hasher.hash(first), window.hasher.hash(second, { signal: controller.signal })];
      controller.abort();
      return Promise.all(results.map((p) => p.then((r) => r.kind, (e) => e.code)));
    }""")

    assert (first, second) == ("image", "cancelled")
