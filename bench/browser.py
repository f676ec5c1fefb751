"""Hashing in real Chromium: agreement with the reference, speed, Pyodide's start and page weight.

The site runs as in production (DJANGO_ENV=production, `collectstatic` with WhiteNoise's brotli and
gzip files, gunicorn on 127.0.0.1) and Debian's Chromium calls static/portal/hasher.js in the Get
Started page. It prints:
  (a) agreement: the browser's PDQ (stored orientation, fit within 1024 px) against pdqhash on the
      full-resolution pixels (testdata computed_hashes.csv) for every reference image Chromium
      decodes with reference quality >= 50 (targets: mean <= 5 bits, max <= 12); and whether the
      browser's vPDQ of each sample video matches the reference's hashes by the vPDQ rule;
  (b) speed after Pyodide is ready: file to all hashes for the 12 MP JPEGs (target median
      <= 250 ms) and for a 60 s 720p H.264 video made here with FFmpeg (target <= 10 s);
  (c) Pyodide's start to ready, with a cold and with a warm HTTP cache;
  (d) bytes transferred for a cold load of the Get Started page, its runtime included.
"""

import csv
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import imageio_ffmpeg
from playwright.sync_api import sync_playwright

from hashing_wasm import VpdqFeature, match_vpdq, parse_hash_file
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO.parent / "shared" / "testdata" / "pdq"
THREATEXCHANGE = TESTDATA / "threatexchange"
PORT = 8791
BASE = f"http://127.0.0.1:{PORT}"
SPEED_ROUNDS = 5
COLD_STARTS = 3

START_HASHER = """async (pyodide) => {
  const { Hasher } = await import("/static/portal/hasher.js");
  const started = performance.now();
  window.hasher = new Hasher({ workerUrl: "/static/portal/hash-worker.js",
    indexURL: pyodide, lockFileURL: pyodide + "pyodide-lock.json" });
  const input = Object.assign(document.createElement("input"), { type: "file", multiple: true, id: "under-test" });
  document.body.append(input);
  await window.hasher.ready;
  return performance.now() - started;
}"""

# One file after another, each timed from the call to its hashes.
HASH_TIMED = """async () => {
  const out = [];
  for (const file of document.getElementById("under-test").files) {
    const started = performance.now();
    try {
      const hashed = await window.hasher.hash(file);
      out.push({ ms: performance.now() - started, ...hashed });
    } catch (error) {
      out.push({ ms: performance.now() - started, name: file.name, code: error.code });
    }
  }
  return out;
}"""


def _production_env(var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "METRICS_TOKEN": secrets.token_urlsafe(20),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "VAR_DIR": str(var_dir),
    }


def _start_site(var_dir: Path) -> subprocess.Popen:
    env = _production_env(var_dir)
    print("collectstatic (WhiteNoise compresses Pyodide with brotli and gzip) ...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "2", "--threads", "4", "--log-level", "warning"],
        cwd=REPO, env=env,
    )  # fmt: skip
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{BASE}/get-started/", timeout=2).read()  # noqa: S310 (loopback)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not start")


def _make_video(path: Path) -> None:
    """60 s of 720p H.264 at 30 fps, x264's defaults (a keyframe every 250 frames), moov at the end."""
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc2=size=1280x720:rate=30:duration=60", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip


def _open(context, *, own_script: bool = False):
    page = context.new_page()
    if not own_script:  # keep the page's own runtime from competing with the one measured
        # Blocked through CDP: Playwright's page.route would turn the HTTP cache off.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setBlockedURLs", {"urls": ["*/portal/get-started.js*"]})
    page.goto(f"{BASE}/get-started/")
    return page


def _hash(page, paths: list[Path]) -> list[dict]:
    page.set_input_files("#under-test", [str(p) for p in paths])
    return page.evaluate(HASH_TIMED)


def _distance(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def _agreement(page) -> list[tuple[str, str]]:
    with (TESTDATA / "computed_hashes.csv").open() as f:
        rows = [r for r in csv.reader(f)][1:]
    reference = {THREATEXCHANGE / r[0]: (r[3], int(r[4])) for r in rows if int(r[4]) >= 50}
    paths = sorted(reference)
    results = _hash(page, paths)
    distances, undecoded, low = [], [], []
    for path, result in zip(paths, results, strict=True):
        if "cannot_decode" in result.get("notes", []) or "code" in result:
            undecoded.append(path.name)
        elif not result["item"].get("pdq"):
            low.append(path.name)
        else:
            distances.append(
                (_distance(result["item"]["pdq"][0]["hash"], reference[path][0]), path.name)
            )
    worst = max(distances)
    rows = [
        ("images compared (reference quality >= 50)", f"{len(distances)}"),
        ("  not decoded by Chromium", ", ".join(undecoded) or "none"),
        ("  browser quality < 50", ", ".join(low) or "none"),
        (
            "PDQ distance, mean (target <= 5)",
            f"{statistics.mean(d for d, _ in distances):.2f} bits",
        ),
        ("PDQ distance, max (target <= 12)", f"{worst[0]} bits ({worst[1]})"),
    ]
    videos = sorted((THREATEXCHANGE / "tmk" / "sample-videos").glob("*.mp4"))
    for path, result in zip(videos, _hash(page, videos), strict=True):
        expected = parse_hash_file(
            (THREATEXCHANGE / "vpdq" / "sample-hashes" / f"{path.stem}.txt").read_text()
        )
        frames = [
            VpdqFeature(f["frame"], f["quality"], f["hash"], f["timestamp"])
            for f in result["item"].get("vpdq", [])
        ]
        match = match_vpdq(frames, expected)
        verdict = "match" if match.is_match() else "NO MATCH"
        rows.append(
            (
                f"vPDQ {path.stem}",
                f"{verdict} ({match.query_match_percent:.0f}% of {len(frames)} frames)",
            )
        )
    return rows


def _speed(page, video: Path) -> list[tuple[str, str]]:
    photos = sorted(
        (THREATEXCHANGE / "pdq" / "data" / "reg-test-input" / "exif-rotn").glob("*.jpg")
    )
    _hash(page, photos)  # warm-up: first calls compile Python code paths
    times = [r["ms"] for _ in range(SPEED_ROUNDS) for r in _hash(page, photos)]
    video_runs = [_hash(page, [video])[0] for _ in range(2)]
    frames = len(video_runs[0]["item"]["vpdq"])
    return [
        (
            f"12 MP JPEG to all hashes, median of {len(times)} (target <= 250 ms)",
            f"{statistics.median(times):.0f} ms",
        ),
        ("12 MP JPEG to all hashes, min / max", f"{min(times):.0f} / {max(times):.0f} ms"),
        (
            f"60 s 720p video, {frames} frames + MD5 (target <= 10 s)",
            " / ".join(f"{r['ms'] / 1000:.1f}" for r in video_runs) + " s",
        ),
    ]


def _start_times(browser, pyodide: str) -> list[tuple[str, str]]:
    cold, warm, warm_bytes = [], [], []
    for _ in range(COLD_STARTS):
        context = browser.new_context()  # a new context starts with an empty HTTP cache
        cold.append(_open(context).evaluate(START_HASHER, pyodide))
        finished = []
        context.on("requestfinished", lambda request, finished=finished: finished.append(request))
        warm.append(_open(context).evaluate(START_HASHER, pyodide))
        warm_bytes.append(sum(r.sizes()["responseBodySize"] for r in finished))
        context.close()
    return [
        ("Pyodide start to ready, cold cache (median)", f"{statistics.median(cold) / 1000:.2f} s"),
        ("Pyodide start to ready, warm cache (median)", f"{statistics.median(warm) / 1000:.2f} s"),
        (
            "  bytes fetched again on the warm start",
            f"{statistics.median(warm_bytes) / 1e3:.0f} KB",
        ),
    ]


def _page_weight(browser) -> list[tuple[str, str]]:
    context = browser.new_context()
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    page = _open(context, own_script=True)
    # The page's own script starts the runtime: wait until the wheel is in and the network rests.
    page.wait_for_event(
        "requestfinished",
        lambda r: r.url.endswith(".whl") or "hashing_wasm" in r.url,
        timeout=120_000,
    )
    page.wait_for_load_state("networkidle")
    sizes = [(r.url, r.sizes()) for r in finished]
    context.close()
    body = sum(s["responseBodySize"] for _, s in sizes)
    headers = sum(s["responseHeadersSize"] for _, s in sizes)
    biggest = sorted(sizes, key=lambda item: -item[1]["responseBodySize"])[:3]
    return [
        (
            f"cold load of /get-started/, {len(sizes)} requests",
            f"{(body + headers) / 1e6:.2f} MB transferred",
        ),
        *(
            (f"  {url.rsplit('/', 1)[-1]}", f"{s['responseBodySize'] / 1e6:.2f} MB")
            for url, s in biggest
        ),
    ]


def run() -> None:
    """Print the browser hashing figures (see the module docstring)."""
    version = json.loads((REPO / "package.json").read_text())["dependencies"]["pyodide"]
    pyodide = f"/static/pyodide/{version}/"
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        video = Path(tmp) / "sixty-seconds-720p.mp4"
        print("encoding a 60 s 720p video with FFmpeg ...", flush=True)
        _make_video(video)
        server = _start_site(Path(tmp) / "var")
        rows: list[tuple[str, str]] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                rows += _page_weight(browser)
                rows += _start_times(browser, pyodide)
                context = browser.new_context()
                page = _open(context)
                page.evaluate(START_HASHER, pyodide)
                rows += _agreement(page)
                rows += _speed(page, video)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    width = max(len(what) for what, _ in rows)
    print(f"\n{'what':<{width}}  figure")
    for what, figure in rows:
        print(f"{what:<{width}}  {figure}")
    print(
        "\ncommand: make bench BENCH=browser  (gunicorn with DJANGO_ENV=production and WhiteNoise's "
        "compressed files on 127.0.0.1, Debian's headless Chromium, software rendering, 2 cores)"
    )
