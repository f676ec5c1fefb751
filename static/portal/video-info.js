// Frame rate and frame count of an MP4/QuickTime video's first video track, read from its boxes.
// The <video> element tells the duration but not the frame rate, and vPDQ numbers frames and
// samples one every int(fps) frames, so we read the track's own timing (mdhd timescale and stts
// sample durations), touching only box headers and the moov box, never the media data.

const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl"]);
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

async function read(file, start, end) {
  return new DataView(await file.slice(start, end).arrayBuffer());
}

function type(view, at) {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

// Top-level boxes: find the moov box by reading only the 16-byte headers.
async function findMoov(file) {
  let offset = 0;
  while (offset + 8 <= file.size) {
    const head = await read(file, offset, offset + 16);
    let size = head.getUint32(0);
    let header = 8;
    if (size === 1 && head.byteLength >= 16) {
      size = Number(head.getBigUint64(8));
      header = 16;
    } else if (size === 0) {
      size = file.size - offset;
    }
    if (size < header) return null;
    if (type(head, 4) === "moov") {
      return size - header > MAX_MOOV_BYTES ? null : read(file, offset + header, offset + size);
    }
    offset += size;
  }
  return null;
}

// Child boxes of a container's payload: [type, start of payload, end].
function* boxes(view, start, end) {
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) return;
    yield [type(view, at + 4), at + header, at + size];
    at += size;
  }
}

function trackTiming(view, start, end, found = {}) {
  for (const [name, from, to] of boxes(view, start, end)) {
    if (CONTAINERS.has(name)) trackTiming(view, from, to, found);
    else if (name === "hdlr") found.handler = type(view, from + 8);
    else if (name === "mdhd") found.timescale = view.getUint32(from + (view.getUint8(from) === 1 ? 20 : 12));
    else if (name === "stts") {
      let frames = 0;
      let ticks = 0;
      const entries = view.getUint32(from + 4);
      for (let i = 0; i < entries && from + 16 + 8 * i <= to; i++) {
        const count = view.getUint32(from + 8 + 8 * i);
        frames += count;
        ticks += count * view.getUint32(from + 12 + 8 * i);
      }
      found.frames = frames;
      found.ticks = ticks;
    }
  }
  return found;
}

/** {fps, frameCount} of the first video track, or null when the file does not say. */
export async function mp4VideoTiming(file) {
  try {
    const moov = await findMoov(file);
    if (!moov) return null;
    for (const [name, from, to] of boxes(moov, 0, moov.byteLength)) {
      if (name !== "trak") continue;
      const track = trackTiming(moov, from, to);
      if (track.handler !== "vide") continue;
      if (!track.timescale || !track.frames || !track.ticks) return null; // e.g. fragmented MP4
      // The average rate, as FFmpeg's avg_frame_rate: exact for constant-rate video.
      return { fps: (track.frames * track.timescale) / track.ticks, frameCount: track.frames };
    }
  } catch {
    // A damaged or unusual header: fall back to the element's duration and a nominal rate.
  }
  return null;
}
