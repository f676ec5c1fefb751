"""Speed of hashing_wasm beside Meta's C++ PDQ core (pdqhash), in CPython and in Pyodide under Node.

`run()` hashes the same photo-like pixels with pdqhash and with our pure-Python PDQ at 12 MP (full
resolution), 1024x768 and 512x512 RGBA, in CPython and in the real Pyodide runtime (the wheel from
`make assets`, loaded through its lock file), and measures MD5 (and MD5 + SHA-256 as FileDigest
does) over a 100 MB stream fed in 4 MiB chunks inside Pyodide. Figures are medians of several runs.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"12 MP": (4000, 3000), "1024x768": (1024, 768), "512x512": (512, 512)}
GOALS = {  # from issue 3: (CPython ratio to pdqhash at most, Pyodide ms at most)
    "12 MP": ("<= 5x pdqhash", None),
    "1024x768": (None, 150.0),
    "512x512": (None, 50.0),
}
RUNS = {"12 MP": 5, "1024x768": 9, "512x512": 15}
STREAM_MB = 100

_NODE_SCRIPT = r"""
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [assets, jobsFile] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(assets + "pyodide.mjs").href);
const py = await loadPyodide({ indexURL: assets, lockFileURL: assets + "pyodide-lock.json" });
await py.loadPackage("hashing_wasm", { messageCallback: () => {} });
const hw = py.pyimport("hashing_wasm");
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
const out = {};
for (const job of JSON.parse(readFileSync(jobsFile, "utf8"))) {
  const pixels = new Uint8Array(readFileSync(job.file));
  const times = [];
  let hash = null;
  for (let i = 0; i <= job.runs; i++) {
    const t = performance.now();
    const r = hw.pdq_from_rgba(pixels, job.width, job.height);
    const ms = performance.now() - t;
    if (i > 0) times.push(ms);  // the first run warms up
    hash = r.hash; r.destroy();
  }
  out[job.name] = { ms: median(times), hash };
}
const chunk = new Uint8Array(4 * 1024 * 1024);
for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
const md5Only = py.runPython(`
import hashlib
class Md5:
    def __init__(self): self._h = hashlib.md5(usedforsecurity=False)
    def update(self, chunk): self._h.update(chunk.to_memoryview())
Md5`);
for (const [name, make] of [["md5", () => md5Only()], ["filedigest", () => hw.FileDigest()]]) {
  const rates = [];
  for (let run = 0; run < 3; run++) {
    const digest = make();
    const t = performance.now();
    for (let done = 0; done < STREAM_MB * 1024 * 1024; done += chunk.length) digest.update(chunk);
    rates.push(STREAM_MB / ((performance.now() - t) / 1000));
    digest.destroy();
  }
  out[name] = { mb_per_s: median(rates) };
}
process.stdout.write("RESULT " + JSON.stringify(out) + "\n");
""".replace("STREAM_MB", str(STREAM_MB))


def _median_ms(function: Callable[[], object], runs: int) -> float:
    function()  # warm caches (and our per-size weight tables) first
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _photo(width: int, height: int) -> bytes:
    """Photo-like RGBA pixels: a decoded reference photo when available, else generated."""
    import numpy as np
    from PIL import Image

    photo = REPO.parent / "shared/testdata/pdq/threatexchange/pdq/data/bridge-mods/aaa-orig.jpg"
    if photo.exists():
        image = Image.open(photo).convert("RGB").resize((width, height), Image.Resampling.BICUBIC)
    else:
        coarse = np.random.default_rng(1).integers(0, 256, (60, 80, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    noise = np.random.default_rng(2).integers(-6, 7, (height, width, 3))
    rgb = np.clip(np.asarray(image).astype(np.int16) + noise, 0, 255).astype(np.uint8)
    alpha = np.full((height, width, 1), 255, np.uint8)
    return np.concatenate([rgb, alpha], axis=2).tobytes()


def _pyodide(pixels: dict[str, bytes]) -> dict[str, dict[str, float | str]] | str:
    """Timings inside Pyodide under Node, or why they could not be taken."""
    locks = sorted((REPO / "build/static/pyodide").glob("*/pyodide-lock.json"))
    if not locks or shutil.which("node") is None:
        return "skipped: needs `make assets` and Node.js"
    with tempfile.TemporaryDirectory() as folder:
        jobs = []
        for name, data in pixels.items():
            path = Path(folder) / f"{len(jobs)}.rgba"
            path.write_bytes(data)
            width, height = SIZES[name]
            jobs.append(
                {
                    "name": name,
                    "file": str(path),
                    "width": width,
                    "height": height,
                    "runs": RUNS[name] if name != "12 MP" else 3,
                }
            )
        (Path(folder) / "jobs.json").write_text(json.dumps(jobs))
        script = Path(folder) / "bench.mjs"
        script.write_text(_NODE_SCRIPT)
        result = subprocess.run(
            ["node", str(script), f"{locks[-1].parent}/", str(Path(folder) / "jobs.json")],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))  # type: ignore[no-any-return]
    return f"failed: {result.stderr.strip()[-300:]}"


def run() -> None:
    """Measure and print the hashing speed table."""
    import numpy as np
    import pdqhash

    from hashing_wasm import pdq_from_rgba

    pixels = {name: _photo(*size) for name, size in SIZES.items()}
    rows = []
    for name, (width, height) in SIZES.items():
        rgb = np.frombuffer(pixels[name], np.uint8).reshape(height, width, 4)[:, :, :3].copy()
        oracle_ms = _median_ms(lambda rgb=rgb: pdqhash.compute(rgb), RUNS[name])
        ours_ms = _median_ms(
            lambda name=name, w=width, h=height: pdq_from_rgba(pixels[name], w, h), RUNS[name]
        )
        bits, _ = pdqhash.compute(rgb)
        expected = f"{int(''.join(str(int(b)) for b in bits), 2):064x}"
        same = pdq_from_rgba(pixels[name], width, height).hash == expected
        rows.append((name, oracle_ms, ours_ms, same))
    browser = _pyodide(pixels)

    print(f"hashing_wasm speed (CPython {sys.version.split()[0]}, medians; command: make bench)")
    print(
        f"{'image':<10} {'pdqhash ms':>11} {'CPython ms':>11} {'ratio':>7} {'Pyodide ms':>11}"
        f" {'Py/pdqhash':>11}  same hash  goal"
    )
    for name, oracle_ms, ours_ms, same in rows:
        if isinstance(browser, dict):
            wasm_ms = float(browser[name]["ms"])
            wasm = f"{wasm_ms:>11.1f} {wasm_ms / oracle_ms:>10.1f}x"
            same = same and browser[name]["hash"] == pdq_from_rgba(pixels[name], *SIZES[name]).hash
        else:
            wasm = f"{'-':>11} {'-':>11}"
        cpython_goal, wasm_goal = GOALS[name]
        goal = cpython_goal or f"Pyodide <= {wasm_goal:.0f} ms"
        print(
            f"{name:<10} {oracle_ms:>11.1f} {ours_ms:>11.1f} {ours_ms / oracle_ms:>6.2f}x {wasm}"
            f"  {'yes' if same else 'NO':<9}  {goal}"
        )
    if isinstance(browser, dict):
        print(
            f"Pyodide MD5 over a {STREAM_MB} MB stream in 4 MiB chunks: "
            f"{browser['md5']['mb_per_s']:.0f} MB/s; MD5 + SHA-256 (FileDigest): "
            f"{browser['filedigest']['mb_per_s']:.0f} MB/s"
        )
    else:
        print(f"Pyodide: {browser}")
