// Starts the hashing module (static/portal/hasher.js, from the hashing pipeline) for a page.
// Until that module is deployed, an MD5-only stand-in speaks to the older worker protocol so the
// flow still works; it states the same limits and raises the same error codes.

const FALLBACK_LIMITS = {
  maxImageBytes: 50 * 1000 * 1000,
  maxVideoBytes: 2 * 1000 * 1000 * 1000,
  maxVideoSeconds: 10 * 60,
};

function hashError(code, message = code) {
  return Object.assign(new Error(message), { code });
}

/** An MD5-only Hasher with the same contract as hasher.js, over the skeleton's worker. */
class Md5OnlyHasher {
  constructor({ workerUrl, indexURL, lockFileURL }) {
    this.worker = new Worker(workerUrl, { type: "module" });
    this.pending = new Map();
    this.nextId = 0;
    this.ready = new Promise((resolve, reject) => {
      this.worker.addEventListener("message", ({ data }) => {
        if (data.type === "ready") resolve();
        else if (data.type === "failed") reject(hashError("runtime_failed", data.message));
        else this.pending.get(data.id)?.(data);
      });
      this.worker.addEventListener("error", () => reject(hashError("runtime_failed")));
    });
    this.worker.postMessage({ type: "init", indexURL, lockFileURL });
  }

  hash(file, { onProgress = () => {}, signal } = {}) {
    const kind = file.type.startsWith("video/") ? "video" : "image";
    if (file.size === 0) return Promise.reject(hashError("empty"));
    if (!/^(image|video)\//.test(file.type) && !/\.(heic|heif|tiff?)$/i.test(file.name)) {
      return Promise.reject(hashError("not_media"));
    }
    const limit = kind === "video" ? FALLBACK_LIMITS.maxVideoBytes : FALLBACK_LIMITS.maxImageBytes;
    if (file.size > limit) return Promise.reject(hashError("too_large"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // The stand-in worker cannot stop mid-file; the answer is dropped instead.
      signal?.addEventListener("abort", () => {
        this.pending.delete(id);
        reject(hashError("cancelled"));
      });
      this.pending.set(id, (data) => {
        if (data.type === "progress") return onProgress(data.done / data.total);
        this.pending.delete(id);
        if (data.type === "error") return reject(hashError("unreadable", data.message));
        const item =
          kind === "video" ? { media_type: "video", video_md5: data.md5 } : { media_type: "image", photo_md5: data.md5 };
        resolve({ kind, name: file.name, size: file.size, item, notes: [] });
      });
      this.worker.postMessage({ type: "hash", id, file });
    });
  }
}

/** The page's hasher and its limits; Pyodide starts loading in the worker at once. */
export async function startHasher(root) {
  const options = {
    workerUrl: new URL(root.dataset.workerUrl, location.href).href,
    indexURL: new URL(root.dataset.pyodideIndexUrl, location.href).href,
    lockFileURL: new URL(root.dataset.pyodideLockUrl, location.href).href,
  };
  let module;
  try {
    module = await import("./hasher.js");
  } catch {
    return { hasher: new Md5OnlyHasher(options), limits: FALLBACK_LIMITS };
  }
  return { hasher: new module.Hasher(options), limits: module.LIMITS };
}
