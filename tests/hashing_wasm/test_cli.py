"""The command line `python -m hashing_wasm hash`: one JSON object per file, clear errors."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hashing_wasm", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_prints_digests_and_pdq_for_images(tmp_path, make_photo, oracle):
    rgb = make_photo(300, 400, 2)
    path = tmp_path / "photo.png"
    Image.fromarray(rgb).save(path)
    result = run_cli("hash", "--full-resolution", str(path))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    data = path.read_bytes()
    assert record["file"] == str(path)
    assert record["md5"] == hashlib.md5(data).hexdigest()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert (record["pdq"], record["quality"]) == oracle.pdq(rgb)
    assert (record["width"], record["height"]) == (400, 300)


def test_it_hashes_the_stored_orientation_and_also_the_displayed_one(tmp_path, make_photo, oracle):
    rgb = make_photo(120, 200, 3)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    Image.fromarray(rgb).save(path, "JPEG", exif=exif.tobytes(), quality=95)
    record = json.loads(run_cli("hash", str(path)).stdout)
    stored = np.asarray(Image.open(path).convert("RGB"))
    assert (record["pdq"], record["quality"]) == oracle.pdq(stored)
    assert record["exif_orientation"] == 6
    displayed = np.ascontiguousarray(np.rot90(stored, -1))  # orientation 6: rotate 90 clockwise
    assert record["pdq_displayed"] == oracle.pdq(displayed)[0]


def test_it_gives_dihedral_hashes_on_request(tmp_path, make_photo, oracle):
    rgb = make_photo(100, 150, 4)
    path = tmp_path / "photo.png"
    Image.fromarray(rgb).save(path)
    record = json.loads(run_cli("hash", "--dihedral", str(path)).stdout)
    hashes, _ = oracle.dihedral(rgb)
    assert [record[name] for name in ("original", "rotate90", "flipminus1")] == [
        hashes[0],
        hashes[1],
        hashes[7],
    ]
    assert record["pdq"] == hashes[0]


def test_it_digests_files_that_are_not_images_with_a_note(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not an image")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    result = run_cli("hash", str(path), str(broken))
    assert result.returncode == 0, result.stderr
    text, jpeg = (json.loads(line) for line in result.stdout.splitlines())
    assert text["md5"] == hashlib.md5(b"not an image").hexdigest()
    assert "pdq" not in text
    assert "not an image" in text["note"]
    assert "pdq" not in jpeg
    assert jpeg["note"]
    assert "Traceback" not in result.stderr


def test_it_reports_a_missing_file_and_exits_nonzero(tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (10, 10)).save(path)
    result = run_cli("hash", str(tmp_path / "missing.jpg"), str(path))
    assert result.returncode == 1
    assert "missing.jpg: no such file" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout)["file"] == str(path)  # the other file is still hashed


def test_it_explains_its_usage():
    result = run_cli("hash")
    assert result.returncode == 2
    assert "FILE" in result.stderr
