// The first video track of an MP4/QuickTime file, read from its moov box: frame rate and count
// (the <video> element exposes neither, and vPDQ numbers frames and samples one every int(fps)),
// and for H.264 the codec configuration and where each encoded frame lies, so WebCodecs can decode
// the frames once each, in order, instead of seeking (each seek decodes from the last keyframe).
// Only box headers and the moov box are read here, never the media data.

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

// The boxes of one track that we use, by type: {hdlr: [from, to], mdhd: ..., stts: ...}.
function trackBoxes(view, start, end, found = {}) {
  for (const [name, from, to] of boxes(view, start, end)) {
    if (CONTAINERS.has(name)) trackBoxes(view, from, to, found);
    else found[name] ??= [from, to];
  }
  return found;
}

// A full box's table: entry count at +4, entries of `width` bytes from +8.
function table(view, box, width, read) {
  if (!box) return null;
  const [from, to] = box;
  const count = view.getUint32(from + 4);
  const rows = [];
  for (let i = 0, at = from + 8; i < count && at + width <= to; i++, at += width) rows.push(read(at));
  return rows;
}

function h264Config(view, stsd) {
  // stsd: version/flags, entry count, then the first sample entry box; a visual sample entry has
  // 78 bytes of fields before its child boxes (avcC among them).
  const [from, to] = stsd;
  const entry = from + 8;
  const format = type(view, entry + 4);
  if (format !== "avc1" && format !== "avc3") return null;
  const width = view.getUint16(entry + 8 + 24);
  const height = view.getUint16(entry + 8 + 26);
  for (const [name, start, end] of boxes(view, entry + 8 + 78, Math.min(to, entry + view.getUint32(entry)))) {
    if (name !== "avcC") continue;
    const hex = (at) => view.getUint8(at).toString(16).padStart(2, "0");
    return {
      codec: `${format}.${hex(start + 1)}${hex(start + 2)}${hex(start + 3)}`,
      description: new Uint8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + end)),
      codedWidth: width,
      codedHeight: height,
    };
  }
  return null;
}

// Where each sample (encoded frame) lies, in decode order: {offset, size, pts (in ticks), key}.
function sampleTable(view, found) {
  const [stszFrom] = found.stsz;
  const uniform = view.getUint32(stszFrom + 4);
  const count = view.getUint32(stszFrom + 8);
  const sizes = uniform ? null : table(view, [stszFrom + 4, found.stsz[1]], 4, (at) => view.getUint32(at));
  const chunks =
    table(view, found.stco, 4, (at) => view.getUint32(at)) ??
    table(view, found.co64, 8, (at) => Number(view.getBigUint64(at)));
  const runs = table(view, found.stsc, 12, (at) => [view.getUint32(at), view.getUint32(at + 4)]);
  const durations = table(view, found.stts, 8, (at) => [view.getUint32(at), view.getUint32(at + 4)]);
  const offsets = table(view, found.ctts, 8, (at) => [view.getUint32(at), view.getInt32(at + 4)]) ?? [];
  const sync = found.stss ? new Set(table(view, found.stss, 4, (at) => view.getUint32(at))) : null;
  if (!chunks || !runs || !durations) return null;

  const samples = [];
  for (let r = 0; r < runs.length; r++) {
    const [firstChunk, perChunk] = runs[r];
    const lastChunk = r + 1 < runs.length ? runs[r + 1][0] - 1 : chunks.length;
    for (let c = firstChunk; c <= lastChunk && samples.length < count; c++) {
      let offset = chunks[c - 1];
      for (let s = 0; s < perChunk && samples.length < count; s++) {
        const size = uniform || sizes[samples.length];
        samples.push({ offset, size, pts: 0, key: !sync || sync.has(samples.length + 1) });
        offset += size;
      }
    }
  }
  let dts = 0;
  let i = 0;
  for (const [runCount, delta] of durations) {
    for (let k = 0; k < runCount && i < samples.length; k++, i++) {
      samples[i].pts = dts;
      dts += delta;
    }
  }
  i = 0;
  for (const [runCount, shift] of offsets) {
    for (let k = 0; k < runCount && i < samples.length; k++, i++) samples[i].pts += shift;
  }
  return samples.length === count ? samples : null;
}

/**
 * The first video track: {fps, frameCount, duration} and, for H.264, {config, samples} for
 * WebCodecs; null when the file is not MP4/QuickTime or does not say (e.g. fragmented MP4).
 */
export async function readMp4VideoTrack(file) {
  try {
    const moov = await findMoov(file);
    if (!moov) return null;
    for (const [name, from, to] of boxes(moov, 0, moov.byteLength)) {
      if (name !== "trak") continue;
      const found = trackBoxes(moov, from, to);
      if (!found.hdlr || type(moov, found.hdlr[0] + 8) !== "vide") continue;
      if (!found.mdhd || !found.stts) return null;
      const mdhd = found.mdhd[0];
      const timescale = moov.getUint32(mdhd + (moov.getUint8(mdhd) === 1 ? 20 : 12));
      let frameCount = 0;
      let ticks = 0;
      for (const [count, delta] of table(moov, found.stts, 8, (at) => [moov.getUint32(at), moov.getUint32(at + 4)])) {
        frameCount += count;
        ticks += count * delta;
      }
      if (!timescale || !frameCount || !ticks) return null;
      // The average rate, as FFmpeg's avg_frame_rate: exact for constant-rate video.
      const track = { fps: (frameCount * timescale) / ticks, frameCount, duration: ticks / timescale };
      const config = found.stsd && found.stsz ? h264Config(moov, found.stsd) : null;
      const samples = config ? sampleTable(moov, found) : null;
      return samples ? { ...track, config, samples } : track;
    }
  } catch {
    // A damaged or unusual header: the caller falls back to the <video> element alone.
  }
  return null;
}
