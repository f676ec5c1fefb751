"""The shipped wheel, run in the real Pyodide runtime under Node.js, hashes exactly as CPython does.

The jobs go to pyodide_runner.mjs as files of raw bytes; it loads the hashing_wasm wheel through
Pyodide's lock file (as the page does) and passes each buffer as a JavaScript Uint8Array.
"""

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hashing_wasm import pdq_dihedral_from_pixels, read_orientation

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("pyodide_runner.mjs")
FULL_RESOLUTION_SOURCES = ("te_test", "te_examples", "java_test")


@pytest.fixture(scope="module")
def pyodide_assets() -> Path:
    locks = sorted((REPO / "build" / "static" / "pyodide").glob("*/pyodide-lock.json"))
    if not locks:
        pytest.fail("Pyodide assets are missing: run `make assets` first")
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to run Pyodide: install nodejs")
    return locks[-1].parent


def test_it_ships_the_source_under_test(pyodide_assets):
    wheels = list(pyodide_assets.glob("hashing_wasm-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        shipped = {
            Path(name).name: wheel.read(name)
            for name in wheel.namelist()
            if name.startswith("hashing_wasm/") and name.endswith(".py")
        }
    sources = {p.name: p.read_bytes() for p in (REPO / "hashing_wasm").glob("*.py")}
    stale = sorted(name for name in sources if shipped.get(name) != sources[name])
    assert not stale, f"the wheel is stale for {stale}: run `make assets`"


def run_in_pyodide(assets: Path, jobs: list[dict], tmp_path: Path) -> dict[str, dict]:
    jobs_file = tmp_path / "jobs.json"
    jobs_file.write_text(json.dumps(jobs))
    result = subprocess.run(
        ["node", str(RUNNER), str(assets), str(jobs_file)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answers = {}
    for line in result.stdout.splitlines():
        if not line.startswith("RESULT "):
            continue
        answer = json.loads(line.removeprefix("RESULT "))
        answers[answer.pop("id")] = answer
    assert len(answers) == len(jobs)
    return answers


def pixel_job(tmp_path: Path, name: str, pixels: np.ndarray) -> dict:
    path = tmp_path / f"{name}.raw"
    path.write_bytes(pixels.tobytes())
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    return {
        "id": name,
        "kind": "pdq",
        "file": str(path),
        "width": width,
        "height": height,
        "channels": channels,
    }


def reference_images(testdata: Path | None, make_photo) -> dict[str, tuple[np.ndarray, str | None]]:
    """Pixels to hash, with the hash the reference data expects (None: compare with CPython)."""
    images: dict[str, tuple[np.ndarray, str | None]] = {}
    if testdata is None:
        for width, height in [(5, 5), (65, 63), (300, 200), (512, 512), (1600, 1004)]:
            images[f"generated-{width}x{height}"] = (make_photo(height, width, 1), None)
        return images
    expected = json.loads((testdata / "vectors" / "expected.json").read_text())
    for vector in expected["vectors"]:
        pixels = np.asarray(Image.open(testdata / "vectors" / vector["file"]))
        exact = None if vector["float_noise_sensitive"] else vector["pdq"]
        images[vector["file"]] = (pixels, exact)
    with (testdata / "expected_hashes_from_repo.csv").open() as rows:
        for row in csv.DictReader(rows):
            if row["source_id"] in FULL_RESOLUTION_SOURCES:
                path = testdata / "threatexchange" / row["path_under_data_threatexchange"]
                rgb = np.asarray(Image.open(path).convert("RGB"))
                images[row["path_under_data_threatexchange"]] = (rgb, row["expected_pdq_hex"])
    return images


def test_it_hashes_pixels_in_pyodide_exactly_as_in_cpython(
    pyodide_assets, tmp_path, testdata, make_photo, oracle
):
    images = reference_images(testdata, make_photo)
    rgb = make_photo(768, 1024, 21)
    alpha = np.full((768, 1024, 1), 128, np.uint8)
    images["rgba-1024x768"] = (np.concatenate([rgb, alpha], axis=2), oracle.pdq(rgb)[0])
    grey = make_photo(333, 250, 22)[:, :, 0].copy()
    images["grey-250x333"] = (grey, oracle.pdq(np.stack([grey] * 3, axis=2))[0])
    images["tiny-4x4"] = (make_photo(4, 4, 23), "0" * 64)
    jobs = [
        pixel_job(tmp_path, f"image{n}", pixels) for n, (pixels, _) in enumerate(images.values())
    ]
    answers = run_in_pyodide(pyodide_assets, jobs, tmp_path)
    for job, (name, (pixels, expected)) in zip(jobs, images.items(), strict=True):
        answer = answers[job["id"]]
        assert "error" not in answer, (name, answer)
        ours = pdq_dihedral_from_pixels(
            pixels.tobytes(), job["width"], job["height"], job["channels"]
        ).as_dict()
        answer.pop("ms")
        assert answer == ours, name
        if expected is not None:
            assert answer["original"] == expected, name


def test_it_reads_exif_and_digests_files_in_pyodide(pyodide_assets, tmp_path, testdata):
    jpegs: list[bytes] = []
    if testdata is not None:
        folder = testdata / "threatexchange/pdq/data/reg-test-input/exif-rotn"
        jpegs = [(folder / f"exif-rotn-{n}.jpg").read_bytes() for n in (1, 3, 6, 8)]
    for orientation in (2, 5):
        exif = Image.Exif()
        exif[0x0112] = orientation
        out = io.BytesIO()
        Image.new("RGB", (16, 8), "red").save(out, "JPEG", exif=exif.tobytes())
        jpegs.append(out.getvalue())
    jobs = []
    for n, data in enumerate(jpegs):
        path = tmp_path / f"photo{n}.jpg"
        path.write_bytes(data)
        jobs.append({"id": f"exif{n}", "kind": "exif", "file": str(path)})
    blob = os.urandom(5 * 1024 * 1024 + 11)
    (tmp_path / "blob.bin").write_bytes(blob)
    jobs.append(
        {
            "id": "digest",
            "kind": "digest",
            "file": str(tmp_path / "blob.bin"),
            "chunk": 1024 * 1024 + 7,
        }
    )
    answers = run_in_pyodide(pyodide_assets, jobs, tmp_path)
    for n, data in enumerate(jpegs):
        assert answers[f"exif{n}"] == {
            "orientation": read_orientation(data),
            "patched_orientation": 1,
            "patched_length": len(data),
        }
    assert answers["digest"] == {
        "md5": hashlib.md5(blob).hexdigest(),
        "sha256": hashlib.sha256(blob).hexdigest(),
        "size": len(blob),
    }
