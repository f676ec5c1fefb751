"""A person's videos are fingerprinted in the browser: MD5 in chunks and vPDQ at one frame a second.

As in test_hashing_images.py, static/portal/hasher.js runs in the real Get Started page; the
sample videos of Meta's ThreatExchange repository must match the reference's own vPDQ hashes of
them by the vPDQ rule.
"""

import hashlib
import os
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from django.conf import settings

from hashing_wasm import VpdqFeature, match_vpdq, parse_hash_file

pytestmark = pytest.mark.browser

DATA = Path(settings.BASE_DIR).parent / "shared" / "testdata" / "pdq" / "threatexchange"
VIDEOS = DATA / "tmk" / "sample-videos"
REFERENCE = DATA / "vpdq" / "sample-hashes"


def features(frames):
    return [VpdqFeature(f["frame"], f["quality"], f["hash"], f["timestamp"]) for f in frames]


def test_it_gives_the_sample_videos_a_vpdq_that_matches_the_reference(browser_hasher, page):
    names = [
        "chair-19-sd-bar",
        "doorknob-hd-no-bar",
        "pattern-sd-grey-bar",
        "test-padded-dimensions",
    ]
    paths = [VIDEOS / f"{name}.mp4" for name in names]
    browser_hasher.load(paths)

    results = browser_hasher.hash_all()

    for name, path, result in zip(names, paths, results, strict=True):
        assert result["kind"] == "video"
        assert result["notes"] == []
        item = result["item"]
        assert item["video_md5"] == hashlib.md5(path.read_bytes()).hexdigest()
        reference = parse_hash_file((REFERENCE / f"{name}.txt").read_text())
        # One frame a second at 30 fps, numbered and timed as the reference numbers them.
        assert [f["frame"] for f in item["vpdq"]] == list(range(0, len(reference), 30))
        assert [f["timestamp"] for f in item["vpdq"]] == [
            round(f.frame_number / 30, 3) for f in reference[::30]
        ]
        assert match_vpdq(features(item["vpdq"]), reference).is_match(), name


def test_it_reports_progress_and_can_cancel_a_video(browser_hasher, page):
    video = VIDEOS / "chair-19-sd-bar.mp4"
    browser_hasher.load([video, video])

    cancelled, progress, finished = page.evaluate("""async () => {
      const [first, second] = document.getElementById("under-test").files;
      const controller = new AbortController();
      const progress = [];
      const cancelled = window.hasher.hash(first, { signal: controller.signal, onProgress: (f) => {
        if (f > 0.3) controller.abort();
      } }).then(() => "finished", (e) => e.code);
      const finished = window.hasher.hash(second, { onProgress: (f) => progress.push(f) });
      return [await cancelled, progress, (await finished).item.vpdq.length];
    }""")

    assert cancelled == "cancelled"
    assert finished == 19
    assert progress == sorted(progress) and progress[-1] == 1


def test_it_refuses_a_video_over_the_length_limit(browser_hasher, page, tmp_path):
    long_video = tmp_path / "long.mp4"
    source = ["-f", "lavfi", "-i", "color=c=gray:s=32x32:r=1:d=601"]  # ten minutes and a second
    encode = ["-c:v", "libx264", "-pix_fmt", "yuv420p", str(long_video)]
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", *source, *encode], check=True
    )
    broken = tmp_path / "broken.mp4"  # says MP4, holds noise: the MD5 still protects it
    broken.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(100_000))
    browser_hasher.load([long_video, broken])

    too_long, undecodable = browser_hasher.hash_all()

    assert too_long == {"name": "long.mp4", "code": "too_long"}
    assert undecodable["notes"] == ["cannot_decode"]
    assert undecodable["item"] == {
        "media_type": "video",
        "video_md5": hashlib.md5(broken.read_bytes()).hexdigest(),
    }
