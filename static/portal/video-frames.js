// vPDQ's frames from a video on the person's device, handed to the worker as ImageBitmaps, where
// they are drawn and hashed with PDQ. Nothing is shown or attached to the page.
//
// H.264 in MP4/QuickTime (most phone video): WebCodecs decodes every frame once, in order, from
// the samples video-info.js locates, and we keep the sampled ones. Anything else: a <video>
// element plays the file from a blob: URL and is seeked to each sampled frame (slower: each seek
// decodes again from the previous keyframe).
//
// Sampling follows python-threatexchange: one frame every int(fps) frames (one per second),
// numbered from 0 in presentation order, timestamp = frame / fps. The element does not expose the
// frame rate, so for MP4/QuickTime we read it from the track's timing; for other containers (WebM)
// we assume NOMINAL_FPS, which only shifts the recorded frame numbers and timestamps, not which
// moments are sampled (every whole second either way) and not how the hashes match.

import { HashingError } from "./hashing-error.js";
import { readMp4VideoTrack } from "./video-info.js";

const NOMINAL_FPS = 30;
const METADATA_TIMEOUT_MS = 20_000;
const SEEK_TIMEOUT_MS = 20_000;
// Frames are hashed at native size, as vPDQ does, up to this long side (4K phone video would
// otherwise cost ~4x the time for a hash a few bits away).
const FRAME_MAX_SIDE = 1920;
const FRAMES_IN_FLIGHT = 2; // seek or decode the next frame while the worker hashes the last one
const DECODE_QUEUE = 16; // encoded frames handed to the decoder ahead of its output
const READ_BYTES = 1024 * 1024; // encoded frames are read from the file in runs of this size

function once(target, events, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(reject, new Error("the video did not answer in time")), timeoutMs);
    const handlers = {};
    function finish(settle, value) {
      clearTimeout(timer);
      for (const [name, handler] of Object.entries(handlers)) target.removeEventListener(name, handler);
      settle(value);
    }
    for (const [name, ok] of Object.entries(events)) {
      handlers[name] = (event) => (ok ? finish(resolve, event) : finish(reject, new Error(`video ${name}`)));
      target.addEventListener(name, handlers[name]);
    }
  });
}

async function seek(video, time) {
  const seeked = once(video, { seeked: true, error: false }, SEEK_TIMEOUT_MS);
  video.currentTime = time;
  await seeked;
}

// WebM from MediaRecorder has no duration in its header; seeking far ahead makes Chromium find it.
async function knownDuration(video) {
  if (Number.isFinite(video.duration)) return video.duration;
  await seek(video, 1e9);
  return video.duration;
}

function frameNumbers(frameCount, fps) {
  const step = Math.max(1, Math.floor(fps));
  const numbers = [];
  for (let n = 0; n < frameCount; n += step) numbers.push(n);
  return numbers;
}

function fitted(width, height) {
  const scale = Math.min(1, FRAME_MAX_SIDE / Math.max(width, height));
  if (scale === 1) return {};
  return { resizeWidth: Math.round(width * scale), resizeHeight: Math.round(height * scale), resizeQuality: "high" };
}

function cancelled() {
  return new HashingError("cancelled", "hashing was cancelled");
}

// Hash jobs for the worker, at most FRAMES_IN_FLIGHT at once; frames come back sorted.
class FrameCollector {
  #frames = [];
  #inFlight = new Set();
  #done = 0;

  constructor(total, fps, hashFrame, onProgress) {
    Object.assign(this, { total, fps, hashFrame, onProgress });
  }

  async add(number, bitmap) {
    const job = this.hashFrame(bitmap).then(({ hash, quality }) => {
      const timestamp = Math.round((number / this.fps) * 1000) / 1000;
      this.#frames.push({ frame: number, hash, quality, timestamp });
      this.onProgress(++this.#done / this.total);
    });
    this.#inFlight.add(job);
    job.finally(() => this.#inFlight.delete(job)).catch(() => {});
    if (this.#inFlight.size >= FRAMES_IN_FLIGHT) await Promise.race(this.#inFlight);
  }

  async frames() {
    await Promise.all(this.#inFlight);
    return this.#frames.sort((a, b) => a.frame - b.frame);
  }
}

// Every frame decoded once with WebCodecs; null when this browser cannot decode the track.
async function decodeWithWebCodecs(file, track, { signal, hashFrame, onProgress }) {
  if (typeof VideoDecoder === "undefined") return null;
  const { config, samples } = track;
  const support = await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
  if (!support.supported) return null;

  // Frame n is the n-th in presentation order; key the wanted ones by their timestamp.
  const byPts = samples.map((s) => s.pts).sort((a, b) => a - b);
  const wanted = new Map(frameNumbers(samples.length, track.fps).map((n) => [byPts[n], n]));
  const last = Math.max(...samples.map((s, i) => (wanted.has(s.pts) ? i : 0)));
  const collector = new FrameCollector(wanted.size, track.fps, hashFrame, onProgress);
  const resize = fitted(config.codedWidth, config.codedHeight);
  let failure = null;
  let handoff = Promise.resolve();
  const decoder = new VideoDecoder({
    output: (frame) => {
      const number = wanted.get(frame.timestamp);
      if (number === undefined) {
        frame.close();
        return;
      }
      // Copy the frame out at once so the decoder gets its buffer back, then queue it for hashing.
      const bitmap = createImageBitmap(frame, { colorSpaceConversion: "none", ...resize });
      frame.close();
      handoff = handoff.then(async () => collector.add(number, await bitmap));
      handoff.catch((error) => (failure ??= error));
    },
    error: (error) => (failure ??= error),
  });
  try {
    decoder.configure(config);
    for (let i = 0; i <= last; ) {
      // Read a run of consecutive frames with one read.
      const start = samples[i].offset;
      let end = i;
      while (end <= last && samples[end].offset >= start && samples[end].offset + samples[end].size - start <= READ_BYTES) end++;
      end = Math.max(end, i + 1);
      const stop = Math.max(...samples.slice(i, end).map((s) => s.offset + s.size));
      const bytes = new Uint8Array(await file.slice(start, stop).arrayBuffer());
      for (; i < end; i++) {
        if (signal?.aborted) throw cancelled();
        if (failure) throw failure;
        const { offset, size, pts, key } = samples[i];
        decoder.decode(new EncodedVideoChunk({ type: key ? "key" : "delta", timestamp: pts, data: bytes.subarray(offset - start, offset - start + size) }));
        while (decoder.decodeQueueSize > DECODE_QUEUE) await new Promise((resolve) => decoder.addEventListener("dequeue", resolve, { once: true }));
      }
      await handoff; // keep the decoder no further ahead than the hashing
    }
    await decoder.flush();
    await handoff;
    if (failure) throw failure;
    return await collector.frames();
  } catch (error) {
    if (error.code === "cancelled") throw error;
    return null; // a stream WebCodecs refuses: the <video> element may still play it
  } finally {
    if (decoder.state !== "closed") decoder.close();
  }
}

/**
 * The sampled frames [{frame, hash, quality, timestamp}], or null when this browser cannot decode
 * the video. Throws .code "too_long" past maxSeconds and "cancelled" when the signal aborts.
 */
export async function sampleVideo(file, { maxSeconds, signal, hashFrame, onProgress }) {
  const timing = await readMp4VideoTrack(file);
  if (timing && !(timing.duration <= maxSeconds)) {
    throw new HashingError("too_long", `the video lasts ${Math.round(timing.duration)} s, over the limit`);
  }
  if (timing?.samples) {
    const frames = await decodeWithWebCodecs(file, timing, { signal, hashFrame, onProgress });
    if (frames?.length) return frames;
  }
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  const url = URL.createObjectURL(file);
  try {
    const loaded = once(video, { loadeddata: true, error: false }, METADATA_TIMEOUT_MS);
    video.src = url;
    try {
      await loaded;
    } catch {
      return null; // a codec or container this browser does not play: the MD5 still protects it
    }
    if (!video.videoWidth || !video.videoHeight) return null; // audio only
    const duration = await knownDuration(video);
    if (!(duration <= maxSeconds)) {
      throw new HashingError("too_long", `the video lasts ${Math.round(duration)} s, over the limit`);
    }
    const fps = timing?.fps ?? NOMINAL_FPS;
    const numbers = frameNumbers(timing?.frameCount ?? Math.max(1, Math.floor(duration * fps)), fps);
    const resize = fitted(video.videoWidth, video.videoHeight);
    const collector = new FrameCollector(numbers.length, fps, hashFrame, onProgress);
    for (const number of numbers) {
      if (signal?.aborted) throw cancelled();
      // The middle of the frame's display interval, so rounding never lands on its neighbour.
      await seek(video, Math.min((number + 0.5) / fps, Math.max(0, duration - 0.001)));
      await collector.add(number, await createImageBitmap(video, { colorSpaceConversion: "none", ...resize }));
    }
    return await collector.frames();
  } finally {
    video.removeAttribute("src");
    video.load(); // releases the decoder at once
    URL.revokeObjectURL(url);
  }
}
