// Fingerprints a person's photos and videos on their device: MD5 for exact copies, PDQ for images,
// vPDQ for videos, computed by hashing_wasm in Pyodide inside a Web Worker (hash-worker.js). Only
// the hashes come out, shaped as the registry's API items; no byte of a file is sent anywhere.
//
//   const hasher = new Hasher({ workerUrl, indexURL, lockFileURL });  // starts Pyodide at once
//   await hasher.ready;                       // rejects with .code = "runtime_failed"
//   const { kind, name, size, item, notes } = await hasher.hash(file, { onProgress, signal });
//
// hash() rejects with an Error whose .code is "empty", "too_large", "too_long", "unreadable",
// "not_media" or "cancelled" (or "runtime_failed" when the runtime never started). Notes on a
// result: "low_quality" and "cannot_decode" (only the MD5 was made), "two_orientations" (a JPEG
// whose EXIF orientation is not 1: the stored and the displayed orientation are both sent),
// "video_frames_unusable" (no frame of the video was good enough for vPDQ; the MD5 still is).

import { HashingError } from "./hashing-error.js";
import { SNIFF_BYTES, sniffMedia } from "./media-sniff.js";
import { sampleVideo } from "./video-frames.js";

export { HashingError };

/** Limits stated to the person up front. */
export const LIMITS = Object.freeze({
  maxImageBytes: 50 * 1024 * 1024,
  maxVideoBytes: 1024 * 1024 * 1024,
  maxVideoSeconds: 10 * 60,
});

const MIN_QUALITY = 50;

// The registry refuses PDQ hashes that are not real ones (a real image sets exactly 128 bits).
function isRealPdq(hex) {
  let bits = 0;
  for (const digit of hex) {
    let value = parseInt(digit, 16);
    while (value) {
      bits += value & 1;
      value >>= 1;
    }
  }
  return bits === 128;
}

function abortedError() {
  return new HashingError("cancelled", "hashing was cancelled");
}

export class Hasher {
  #worker;
  #requests = new Map(); // seq -> {resolve, reject, onProgress}
  #seq = 0;
  #nextId = 0;
  #queue = Promise.resolve();

  constructor({ workerUrl, indexURL, lockFileURL }) {
    this.#worker = new Worker(workerUrl, { type: "module" });
    this.ready = new Promise((resolve, reject) => {
      const fail = (message) =>
        reject(new HashingError("runtime_failed", `the hashing runtime could not start: ${message}`));
      this.#worker.addEventListener("message", ({ data }) => {
        if (data.type === "ready") resolve();
        else if (data.type === "failed") fail(data.message);
        else this.#answer(data);
      });
      this.#worker.addEventListener("error", (event) => fail(event.message || "the worker did not load"));
    });
    this.ready.catch(() => {}); // callers see it when they await it; never an unhandled rejection
    const absolute = (url) => new URL(url, location.href).href;
    this.#worker.postMessage({ type: "init", indexURL: absolute(indexURL), lockFileURL: absolute(lockFileURL) });
  }

  /** The API item and notes for one file; one file is hashed at a time, in call order. */
  hash(file, { onProgress = () => {}, signal } = {}) {
    const run = this.#queue.then(() => {
      if (signal?.aborted) throw abortedError();
      return this.#hashOne(file, onProgress, signal);
    });
    this.#queue = run.catch(() => {});
    // A file still waiting its turn is cancelled at once.
    const aborted = new Promise((_, reject) => {
      if (signal?.aborted) reject(abortedError());
      signal?.addEventListener("abort", () => reject(abortedError()), { once: true });
    });
    return Promise.race([run, aborted]);
  }

  /** Stop the worker (and Pyodide) for good. */
  terminate() {
    this.#worker.terminate();
  }

  async #hashOne(file, onProgress, signal) {
    if (file.size === 0) throw new HashingError("empty", "the file is empty");
    if (file.size > Math.max(LIMITS.maxImageBytes, LIMITS.maxVideoBytes)) {
      throw new HashingError("too_large", "the file is larger than the limit"); // never read
    }
    let head;
    try {
      head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
    } catch (error) {
      throw new HashingError("unreadable", `the file could not be read: ${error.message}`);
    }
    const media = sniffMedia(head);
    if (!media) throw new HashingError("not_media", "the file is neither an image nor a video");
    const limit = media.kind === "image" ? LIMITS.maxImageBytes : LIMITS.maxVideoBytes;
    if (file.size > limit) throw new HashingError("too_large", "the file is larger than the limit");
    await this.ready; // rejects with "runtime_failed" if the runtime never started

    const id = this.#nextId++;
    const cancel = () => this.#worker.postMessage({ type: "cancel", id });
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      const hashed =
        media.kind === "image"
          ? await this.#hashImage(id, file, media.format, onProgress)
          : await this.#hashVideo(id, file, onProgress, signal);
      if (signal?.aborted) throw abortedError();
      onProgress(1);
      return { kind: media.kind, name: file.name, size: file.size, ...hashed };
    } finally {
      signal?.removeEventListener("abort", cancel);
    }
  }

  async #hashImage(id, file, format, onProgress) {
    const result = await this.#request({ type: "image", id, file, format }, [], onProgress);
    const pdq = result.pdq
      .filter((p) => p.quality >= MIN_QUALITY && isRealPdq(p.hash))
      .map(({ hash, quality }) => ({ hash, quality }));
    const notes = result.notes.filter((note) => note !== "two_orientations" || pdq.length === 2);
    if (pdq.length === 0 && !notes.includes("cannot_decode") && !notes.includes("low_quality")) {
      notes.push("low_quality");
    }
    const item = { media_type: "image", photo_md5: result.md5 };
    if (pdq.length) item.pdq = pdq;
    return { item, notes };
  }

  async #hashVideo(id, file, onProgress, signal) {
    // The MD5 runs in the worker while this thread seeks the video; the worker hashes frames
    // between the MD5's chunks. Progress: a tenth for the MD5, the rest for the frames.
    let md5Fraction = 0;
    let frameFraction = 0;
    const report = () => onProgress(0.1 * md5Fraction + 0.9 * frameFraction);
    const md5 = this.#request({ type: "md5", id, file }, [], (fraction) => {
      md5Fraction = fraction;
      report();
    });
    md5.catch(() => {}); // awaited below; a failure here must not go unhandled meanwhile
    let frames;
    try {
      frames = await sampleVideo(file, {
        maxSeconds: LIMITS.maxVideoSeconds,
        signal,
        hashFrame: (bitmap) => this.#request({ type: "frame", id, bitmap }, [bitmap]),
        onProgress: (fraction) => {
          frameFraction = fraction;
          report();
        },
      });
    } catch (error) {
      this.#worker.postMessage({ type: "cancel", id }); // stop the MD5 of a video we refuse
      throw error;
    }
    const item = { media_type: "video", video_md5: (await md5).md5 };
    const notes = [];
    if (!frames) {
      notes.push("cannot_decode");
    } else {
      const usable = frames.filter((f) => f.quality >= MIN_QUALITY && isRealPdq(f.hash));
      // Frames under quality 50 go too (matchers skip them, as the reference does).
      if (usable.length) item.vpdq = frames.filter((f) => f.quality < MIN_QUALITY || isRealPdq(f.hash));
      else notes.push("video_frames_unusable");
    }
    return { item, notes };
  }

  #request(message, transfer = [], onProgress = () => {}) {
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      this.#requests.set(seq, { resolve, reject, onProgress });
      this.#worker.postMessage({ ...message, seq }, transfer);
    });
  }

  #answer(data) {
    const request = this.#requests.get(data.seq);
    if (!request) return;
    if (data.type === "progress") {
      request.onProgress(data.fraction);
      return;
    }
    this.#requests.delete(data.seq);
    if (data.type === "result") request.resolve(data);
    else request.reject(new HashingError(data.code, data.message));
  }
}
