// The hashing worker: runs the Python module hashing_wasm in Pyodide, off the page's thread.
// It reads each file in chunks and hands back only hashes; file bytes never leave this worker.
//
// Messages in:  {type: "init", indexURL, lockFileURL}, {type: "hash", id, file}
// Messages out: {type: "ready"}, {type: "failed", message},
//               {type: "progress", id, done, total}, {type: "result", id, md5, sha256, size},
//               {type: "error", id, message}

const CHUNK_BYTES = 4 * 1024 * 1024;
const LOAD_TIMEOUT_MS = 60_000;

let pyodide = null;
let newDigest = null;

async function init({ indexURL, lockFileURL }) {
  const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
  // loadPyodide hangs rather than fails when WebAssembly is blocked or mis-served.
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("The fingerprint tool took too long to start.")), LOAD_TIMEOUT_MS),
  );
  pyodide = await Promise.race([
    loadPyodide({ indexURL, lockFileURL, packages: ["hashing_wasm"] }),
    timeout,
  ]);
  newDigest = pyodide.runPython(`
from hashing_wasm import FileDigest

class _Digest:
    """FileDigest fed with JavaScript Uint8Arrays."""
    def __init__(self):
        self._digest = FileDigest()
    def update(self, chunk):
        self._digest.update(chunk.to_bytes())
    def result(self):
        return [self._digest.md5, self._digest.sha256, self._digest.size]

_Digest
`);
}

async function hashFile(id, file) {
  if (file.size === 0) {
    throw new Error("This file is empty, so there is nothing to protect.");
  }
  const digest = newDigest();
  try {
    for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
      const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
      digest.update(chunk);
      self.postMessage({ type: "progress", id, done: Math.min(offset + CHUNK_BYTES, file.size), total: file.size });
    }
    const [md5, sha256, size] = digest.result().toJs();
    return { md5, sha256, size };
  } finally {
    digest.destroy();
  }
}

const ready = new Promise((resolve) => {
  self.addEventListener("message", async function onInit(event) {
    if (event.data.type !== "init") return;
    self.removeEventListener("message", onInit);
    try {
      await init(event.data);
      self.postMessage({ type: "ready" });
      resolve();
    } catch (error) {
      self.postMessage({ type: "failed", message: String(error.message || error) });
    }
  });
});

// One file at a time, in the order they were chosen.
let queue = Promise.resolve();
self.addEventListener("message", (event) => {
  if (event.data.type !== "hash") return;
  const { id, file } = event.data;
  queue = queue.then(async () => {
    await ready;
    try {
      self.postMessage({ type: "result", id, ...(await hashFile(id, file)) });
    } catch (error) {
      const message = error.name === "NotReadableError" ? "This file could not be read." : String(error.message || error);
      self.postMessage({ type: "error", id, message });
    }
  });
});
