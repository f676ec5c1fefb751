// vPDQ's frames from a video on the person's device: a <video> element plays the file from a
// blob: URL (never attached to the page, never shown), is seeked to each sampled frame, and the
// frame is handed to the worker as an ImageBitmap, where it is drawn and hashed with PDQ.
//
// Sampling follows python-threatexchange: one frame every int(fps) frames (one per second),
// numbered from 0, timestamp = frame / fps. The element does not expose the frame rate, so for
// MP4/QuickTime we read it from the file's track timing (video-info.js); for other containers
// (WebM) we assume NOMINAL_FPS, which only shifts the recorded frame numbers and timestamps, not
// which moments are sampled (every whole second either way) and not how the hashes match.

import { HashingError } from "./hashing-error.js";
import { mp4VideoTiming } from "./video-info.js";

const NOMINAL_FPS = 30;
const METADATA_TIMEOUT_MS = 20_000;
const SEEK_TIMEOUT_MS = 20_000;
// Frames are hashed at native size, as vPDQ does, up to this long side (4K phone video would
// otherwise cost ~4x the time for a hash a few bits away).
const FRAME_MAX_SIDE = 1920;
const FRAMES_IN_FLIGHT = 2; // seek the next frame while the worker hashes the last one

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

function frameSize(video) {
  const scale = Math.min(1, FRAME_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
  return { resizeWidth: Math.round(video.videoWidth * scale), resizeHeight: Math.round(video.videoHeight * scale) };
}

/**
 * The sampled frames [{frame, hash, quality, timestamp}], or null when this browser cannot decode
 * the video. Throws .code "too_long" past maxSeconds and "cancelled" when the signal aborts.
 */
export async function sampleVideo(file, { maxSeconds, signal, hashFrame, onProgress }) {
  const timing = await mp4VideoTiming(file);
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
    const frameCount = timing?.frameCount ?? Math.max(1, Math.floor(duration * fps));
    const step = Math.max(1, Math.floor(fps));
    const numbers = [];
    for (let n = 0; n < frameCount; n += step) numbers.push(n);

    const size = frameSize(video);
    const resize = size.resizeWidth === video.videoWidth ? {} : { ...size, resizeQuality: "high" };
    const frames = [];
    const inFlight = new Set();
    let done = 0;
    for (const number of numbers) {
      if (signal?.aborted) throw new HashingError("cancelled", "hashing was cancelled");
      // The middle of the frame's display interval, so rounding never lands on its neighbour.
      await seek(video, Math.min((number + 0.5) / fps, Math.max(0, duration - 0.001)));
      const bitmap = await createImageBitmap(video, { colorSpaceConversion: "none", ...resize });
      const job = hashFrame(bitmap).then(({ hash, quality }) => {
        frames.push({ frame: number, hash, quality, timestamp: Math.round((number / fps) * 1000) / 1000 });
        onProgress(++done / numbers.length);
      });
      inFlight.add(job);
      job.finally(() => inFlight.delete(job)).catch(() => {});
      if (inFlight.size >= FRAMES_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return frames.sort((a, b) => a.frame - b.frame);
  } finally {
    video.removeAttribute("src");
    video.load(); // releases the decoder at once
    URL.revokeObjectURL(url);
  }
}
