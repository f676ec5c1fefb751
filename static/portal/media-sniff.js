// What a file is, from its first bytes: names and MIME types can lie (a renamed text file), and
// the hashing must know images from videos before it reads the whole file.

export const SNIFF_BYTES = 64;

// Image formats this browser cannot decode: still protected against exact copies by their MD5.
export const CANNOT_DECODE_FORMATS = new Set(["heic", "tiff", "jpeg2000", "jpegxl"]);

// ISO base media ("ftyp") brands that mean a still image (HEIF/AVIF) rather than a video.
const IMAGE_BRANDS = {
  heic: "heic", heix: "heic", heim: "heic", heis: "heic", hevc: "heic", hevx: "heic",
  mif1: "heic", msf1: "heic", avif: "avif", avis: "avif",
};

function startsWith(bytes, signature, offset = 0) {
  return signature.every((value, i) => value === null || bytes[offset + i] === value);
}

function ascii(bytes, start, end) {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function isoBrand(bytes) {
  if (ascii(bytes, 4, 8) !== "ftyp") return null;
  const size = Math.min(bytes.length, (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(bytes, at, at + 4));
  // The major brand says what the file is; "mif1" alone may carry "avif" among compatible brands.
  const image = IMAGE_BRANDS[brands[0]];
  if (image === "heic" && brands.includes("avif")) return { kind: "image", format: "avif" };
  if (image) return { kind: "image", format: image };
  return { kind: "video", format: brands[0] === "qt  " ? "quicktime" : "mp4" };
}

/** {kind: "image"|"video", format} for the file's first bytes, or null when it is neither. */
export function sniffMedia(bytes) {
  const b = bytes;
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: "image", format: "jpeg" };
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: "image", format: "png" };
  if (ascii(b, 0, 4) === "GIF8") return { kind: "image", format: "gif" };
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return { kind: "image", format: "webp" };
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "AVI ") return { kind: "video", format: "avi" };
  if (ascii(b, 0, 2) === "BM" && b.length >= 26) return { kind: "image", format: "bmp" };
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00])) return { kind: "image", format: "ico" };
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: "image", format: "tiff" };
  }
  if (startsWith(b, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(b, [0xff, 0x4f, 0xff, 0x51])) {
    return { kind: "image", format: "jpeg2000" };
  }
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { kind: "image", format: "jpegxl" };
  }
  const iso = isoBrand(b);
  if (iso) return iso;
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return { kind: "video", format: "webm" };
  if (ascii(b, 0, 4) === "OggS") return { kind: "video", format: "ogg" };
  if (startsWith(b, [0x00, 0x00, 0x01, 0xba]) || startsWith(b, [0x00, 0x00, 0x01, 0xb3])) {
    return { kind: "video", format: "mpeg" };
  }
  return null;
}
