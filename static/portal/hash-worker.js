// The hashing worker: runs the Python module hashing_wasm in Pyodide, off the page's thread.
// It reads files and decodes images here and posts back only hashes; no pixel or byte of a file
// leaves this worker except as the ImageBitmap frames the page hands in for videos.
//
// In:  {type: "init", indexURL, lockFileURL}
//      {type: "image", id, file, format}   MD5, then PDQ of the stored (and displayed) orientation
//      {type: "md5", id, file}             MD5 only, in chunks (videos)
//      {type: "frame", id, bitmap}         PDQ of one video frame (the bitmap is transferred)
//      {type: "cancel", id}
// Out: {type: "ready"} | {type: "failed", message}
//      {type: "progress", seq, fraction}
//      {type: "result", seq, ...} | {type: "error", seq, code, message}
// Every request carries a seq, echoed in its answers; id groups the requests of one file.

import { CANNOT_DECODE_FORMATS } from "./media-sniff.js";

const CHUNK_BYTES = 4 * 1024 * 1024;
const LOAD_TIMEOUT_MS = 60_000;
// Images are hashed after an antialiased fit within this many pixels: 12 MP photos hash in a
// fraction of the time, at a cost of a few bits against full resolution (docs/hashing.md).
const IMAGE_MAX_SIDE = 1024;
const MIN_QUALITY = 50;

let py = null; // the Python helpers, once Pyodide is ready
const cancelled = new Set();

class Cancelled extends Error {
  code = "cancelled";
}

class HashError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function init({ indexURL, lockFileURL }) {
  const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
  // loadPyodide hangs rather than fails when WebAssembly is blocked or mis-served.
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the hashing runtime took too long to start")), LOAD_TIMEOUT_MS);
  });
  const pyodide = await Promise.race([loadPyodide({ indexURL, lockFileURL, packages: ["hashing_wasm"] }), timeout]);
  clearTimeout(timer);
  // Small wrappers so every call hands JS values in and gets plain JS values back.
  const helpers = pyodide.runPython(`
from hashing_wasm import ExifError, FileDigest, pdq_from_rgba, read_orientation, with_orientation_reset

def _orientation(data):
    try:
        return read_orientation(data) or 1
    except ExifError:
        return 1  # a broken EXIF block: hash the pixels as they are stored

def _pdq(pixels, width, height):
    result = pdq_from_rgba(pixels, width, height)
    return [result.hash, result.quality]

{"digest": FileDigest, "orientation": _orientation, "reset": with_orientation_reset, "pdq": _pdq}
`);
  const get = (name) => helpers.get(name);
  py = {
    newDigest: get("digest"),
    orientation: get("orientation"),
    reset: (bytes) => {
      const patched = get("reset")(bytes);
      try {
        return patched.toJs();
      } finally {
        patched.destroy();
      }
    },
    pdq: (pixels, width, height) => {
      const result = get("pdq")(pixels, width, height);
      try {
        const [hash, quality] = result.toJs();
        return { hash, quality };
      } finally {
        result.destroy();
      }
    },
  };
}

function checkCancelled(id) {
  if (cancelled.has(id)) throw new Cancelled("cancelled");
}

// MD5 over a file's bytes, fed in chunks so a large video never sits whole in memory.
async function md5OfFile(id, file, onChunk) {
  const digest = py.newDigest();
  try {
    for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
      checkCancelled(id);
      const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
      digest.update(chunk);
      onChunk(Math.min(offset + CHUNK_BYTES, file.size) / file.size);
    }
    return digest.md5;
  } finally {
    digest.destroy();
  }
}

function md5OfBytes(bytes) {
  const digest = py.newDigest();
  try {
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      digest.update(bytes.subarray(offset, offset + CHUNK_BYTES));
    }
    return digest.md5;
  } finally {
    digest.destroy();
  }
}

// The size an image is hashed at: fit within IMAGE_MAX_SIDE, never enlarged.
function fitted(width, height, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

// Decode without colour conversion or premultiplication (closest to the reference decoders),
// resized with Chromium's high-quality (antialiased) filter. When the header tells the size, one
// call decodes and resizes (Chromium then skips a full-size intermediate bitmap).
async function decodeFitted(blob, size) {
  const options = { colorSpaceConversion: "none", premultiplyAlpha: "none" };
  const resize = (width, height) => ({ ...options, resizeWidth: width, resizeHeight: height, resizeQuality: "high" });
  if (size) {
    const target = fitted(size.width, size.height, IMAGE_MAX_SIDE);
    return createImageBitmap(blob, resize(target.width, target.height));
  }
  const full = await createImageBitmap(blob, options);
  const target = fitted(full.width, full.height, IMAGE_MAX_SIDE);
  if (target.width === full.width && target.height === full.height) return full;
  try {
    return await createImageBitmap(full, resize(target.width, target.height));
  } finally {
    full.close();
  }
}

// Canvas pixels are premultiplied, so where alpha is 0 the colour is lost; PDQ, like the reference,
// hashes the raw RGB under any alpha. For formats that carry alpha, ImageDecoder gives the pixels
// unpremultiplied: when the image is not opaque we hash those, at full size as the reference does.
const ALPHA_FORMATS = { png: "image/png", webp: "image/webp", gif: "image/gif" };
const MAX_RAW_PIXELS = 16_000_000;

async function unpremultipliedPixels(blob, format) {
  if (!ALPHA_FORMATS[format] || typeof ImageDecoder === "undefined") return null;
  const decoder = new ImageDecoder({
    data: blob.stream(),
    type: ALPHA_FORMATS[format],
    premultiplyAlpha: "none",
    colorSpaceConversion: "none",
  });
  try {
    const { image } = await decoder.decode();
    try {
      const { format: layout, codedWidth: width, codedHeight: height } = image;
      if ((layout !== "RGBA" && layout !== "BGRA") || width * height > MAX_RAW_PIXELS) return null;
      const pixels = new Uint8Array(width * height * 4);
      await image.copyTo(pixels);
      if (layout === "BGRA") {
        for (let i = 0; i < pixels.length; i += 4) [pixels[i], pixels[i + 2]] = [pixels[i + 2], pixels[i]];
      }
      return { pixels, width, height };
    } finally {
      image.close();
    }
  } catch {
    return null; // the canvas path decides whether the image is readable
  } finally {
    decoder.close();
  }
}

// Width and height from a JPEG's frame header or a PNG's IHDR, so the decoder can scale as it
// decodes; null for other formats (decoded at full size, then resized).
function imageSize(bytes, format) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === "png" && bytes.length >= 24) return { width: view.getUint32(16), height: view.getUint32(20) };
  if (format !== "jpeg") return null;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) { at += 1; continue; }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    if (marker === 0xda || marker === 0xd9) return null;
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

// Canvas transforms that turn stored pixels into what the EXIF orientation tells viewers to show.
function orientationTransform(orientation, w, h) {
  return {
    2: [-1, 0, 0, 1, w, 0],
    3: [-1, 0, 0, -1, w, h],
    4: [1, 0, 0, -1, 0, h],
    5: [0, 1, 1, 0, 0, 0],
    6: [0, 1, -1, 0, h, 0],
    7: [0, -1, -1, 0, h, w],
    8: [0, -1, 1, 0, 0, w],
  }[orientation];
}

function pixelsOf(bitmap, orientation = 1) {
  const swap = orientation >= 5;
  const width = swap ? bitmap.height : bitmap.width;
  const height = swap ? bitmap.width : bitmap.height;
  const canvas = new OffscreenCanvas(width, height);
  // willReadFrequently keeps the canvas in CPU memory: no GPU round trip for getImageData.
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (orientation !== 1) context.setTransform(...orientationTransform(orientation, bitmap.width, bitmap.height));
  context.drawImage(bitmap, 0, 0);
  return { pixels: context.getImageData(0, 0, width, height).data, width, height };
}

function pdqOf(bitmap, orientation) {
  const { pixels, width, height } = pixelsOf(bitmap, orientation);
  return py.pdq(pixels, width, height);
}

async function hashImage(id, file, format, progress) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  checkCancelled(id);
  if (CANNOT_DECODE_FORMATS.has(format)) return { md5: md5OfBytes(bytes), pdq: [], notes: ["cannot_decode"] };

  // Chromium always applies EXIF orientation, and partners hash the stored pixels: decode a copy
  // whose orientation says 1, and get the displayed orientation by transforming those pixels.
  let source = file;
  let orientation = 1;
  if (format === "jpeg") {
    orientation = py.orientation(bytes);
    if (orientation !== 1) source = new Blob([py.reset(bytes)], { type: "image/jpeg" });
  }
  const raw = await unpremultipliedPixels(file, format);
  if (raw) {
    const hash = py.pdq(raw.pixels, raw.width, raw.height);
    const usable = hash.quality >= MIN_QUALITY;
    return { md5: md5OfBytes(bytes), pdq: usable ? [hash] : [], notes: usable ? [] : ["low_quality"] };
  }
  // Chromium decodes off this thread: the MD5 runs meanwhile.
  const decoded = decodeFitted(source, imageSize(bytes, format));
  decoded.catch(() => {}); // handled below, after the MD5
  const md5 = md5OfBytes(bytes);
  progress(0.4);
  let bitmap;
  try {
    bitmap = await decoded;
  } catch (error) {
    throw new HashError("unreadable", `the image could not be decoded: ${error.message}`);
  }
  try {
    checkCancelled(id);
    progress(0.7);
    const hashes = [pdqOf(bitmap, 1)];
    if (orientation !== 1) hashes.push(pdqOf(bitmap, orientation));
    const pdq = hashes.filter((h) => h.quality >= MIN_QUALITY);
    const notes = [];
    if (pdq.length === 0) notes.push("low_quality");
    if (pdq.length === 2) notes.push("two_orientations");
    return { md5, pdq, notes };
  } finally {
    bitmap.close();
  }
}

async function hashMd5(id, file, progress) {
  return { md5: await md5OfFile(id, file, progress) };
}

function hashFrame(bitmap) {
  try {
    const { pixels, width, height } = pixelsOf(bitmap);
    return py.pdq(pixels, width, height);
  } finally {
    bitmap.close();
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
      self.postMessage({ type: "failed", message: String(error?.message || error) });
    }
  });
});

const jobs = {
  image: ({ id, file, format }, progress) => hashImage(id, file, format, progress),
  md5: ({ id, file }, progress) => hashMd5(id, file, progress),
  frame: ({ id, bitmap }) => {
    if (cancelled.has(id)) {
      bitmap.close();
      throw new Cancelled("cancelled");
    }
    return hashFrame(bitmap);
  },
};

self.addEventListener("message", async ({ data }) => {
  if (data.type === "cancel") {
    cancelled.add(data.id);
    return;
  }
  const job = jobs[data.type];
  if (!job) return;
  await ready;
  try {
    const progress = (fraction) => self.postMessage({ type: "progress", seq: data.seq, fraction });
    const result = await job(data, progress);
    self.postMessage({ type: "result", id: data.id, seq: data.seq, ...result });
  } catch (error) {
    const code = error.code || "unreadable"; // e.g. NotReadableError: the file changed or vanished
    self.postMessage({ type: "error", id: data.id, seq: data.seq, code, message: String(error?.message || error) });
  }
});
