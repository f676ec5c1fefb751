// Runs hashing_wasm inside the real Pyodide runtime under Node.js, as the browser worker does.
// Usage: node pyodide_runner.mjs ASSETS_DIR JOBS_JSON
// ASSETS_DIR is build/static/pyodide/<version>/ (made by `make assets`); the package is loaded from
// its lock file exactly as the page loads it. Each job names a file of raw bytes that is handed to
// Python as a JavaScript Uint8Array (the worker's call path). Prints one line "RESULT {json}" per job.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [assets, jobsFile] = process.argv.slice(2);
const indexURL = path.resolve(assets) + "/";
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const py = await loadPyodide({ indexURL, lockFileURL: indexURL + "pyodide-lock.json" });
await py.loadPackage("hashing_wasm", { messageCallback: () => {} });
const hw = py.pyimport("hashing_wasm");
const toObject = (proxy) => proxy.toJs({ dict_converter: Object.fromEntries });

for (const job of JSON.parse(readFileSync(jobsFile, "utf8"))) {
  const bytes = new Uint8Array(readFileSync(job.file));
  let result;
  try {
    if (job.kind === "pdq") {
      const started = performance.now();
      const hashes = hw.pdq_dihedral_from_pixels(bytes, job.width, job.height, job.channels);
      result = { ...toObject(hashes.as_dict()), ms: performance.now() - started };
      hashes.destroy();
    } else if (job.kind === "exif") {
      const patched = hw.with_orientation_reset(bytes);
      result = {
        orientation: hw.read_orientation(bytes) ?? null,
        patched_orientation: hw.read_orientation(patched) ?? null,
        patched_length: patched.length,
      };
      patched.destroy();
    } else if (job.kind === "digest") {
      const digest = hw.FileDigest();
      for (let start = 0; start < bytes.length; start += job.chunk) {
        digest.update(bytes.subarray(start, start + job.chunk));
      }
      result = { md5: digest.md5, sha256: digest.sha256, size: digest.size };
      digest.destroy();
    } else {
      result = { error: `unknown job kind ${job.kind}` };
    }
  } catch (error) {
    result = { error: String(error.message || error) };
  }
  process.stdout.write("RESULT " + JSON.stringify({ id: job.id, ...result }) + "\n");
}
