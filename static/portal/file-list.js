// The file chooser of Get Started and the case page: takes files from the picker or a drop,
// fingerprints them one at a time through the page's hasher, and shows each file's progress and
// outcome in plain words. File contents never leave the device; only `items()` is ever sent.

import { fill, formatBytes, gettext, ngettext } from "./i18n.js";

const NOTE_TEXT = {
  low_quality: () =>
    gettext(
      "Protected against exact copies only. This photo has too little detail (it may be very dark, plain or small) to recognise edited copies too.",
    ),
  cannot_decode: () =>
    gettext(
      "Protected against exact copies only. This browser cannot open this kind of file (such as HEIC or TIFF), so resized or edited copies may not be recognised.",
    ),
  video_frames_unusable: () =>
    gettext(
      "Protected against exact copies only. We could not read the pictures inside this video, so edited copies may not be recognised.",
    ),
  two_orientations: () =>
    gettext("This photo is stored turned on its side, so we made fingerprints for both ways up."),
};

const ERROR_TEXT = {
  empty: () => gettext("This file is empty, so there is nothing to protect."),
  too_large: (limits, entry) =>
    fill(gettext("This file is bigger than the limit of %(limit)s."), {
      limit: formatBytes(isVideo(entry.file) ? limits.maxVideoBytes : limits.maxImageBytes),
    }),
  too_long: (limits) =>
    fill(gettext("This video is longer than the limit of %(minutes)s minutes."), {
      minutes: Math.round(limits.maxVideoSeconds / 60),
    }),
  unreadable: () =>
    gettext("This file could not be read. It may have been moved, or it may still be downloading. You can try choosing it again."),
  not_media: () => gettext("This does not look like a photo or a video."),
  cancelled: () => gettext("You stopped this one."),
};

function isVideo(file) {
  return file.type.startsWith("video/") || /\.(mp4|mov|m4v|webm|mkv|avi|3gp)$/i.test(file.name);
}

/** The hash that identifies a file exactly, to notice the same file chosen twice. */
function exactHash(item) {
  return item.photo_md5 || item.video_md5;
}

export class FileList {
  /** root: the [data-file-picker] element; started: the promise of startHasher(). */
  constructor(root, started, { onChange = () => {} } = {}) {
    this.root = root;
    this.onChange = onChange;
    this.entries = [];
    this.nextId = 0;
    this.queue = Promise.resolve();
    this.limits = null;
    this.list = root.querySelector("[data-list]");
    this.template = root.querySelector("[data-row]");
    this.announcer = root.querySelector("[data-announcer]");
    this.input = root.querySelector("[data-input]");
    this.runtime = root.querySelector("[data-runtime]");
    this.hasher = started.then(({ hasher, limits }) => {
      this.limits = limits;
      this.showLimits();
      return hasher;
    });
    this.hasher.then((hasher) => hasher.ready).then(
      () => {
        this.runtime.textContent = gettext("Ready. Choose your files: they stay on this device.");
        this.runtime.classList.add("ok");
      },
      () => {
        this.runtime.textContent = gettext(
          "The fingerprint tool could not start on this device. Please reload the page, or try an up-to-date Chrome, Firefox, Edge or Safari.",
        );
        this.runtime.classList.add("error");
      },
    );
    this.listen();
  }

  listen() {
    this.input.addEventListener("change", () => {
      this.add([...this.input.files]);
      this.input.value = ""; // the input keeps no reference; the same file can be chosen again
    });
    const zone = this.root.querySelector("[data-dropzone]");
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      this.add([...event.dataTransfer.files]);
    });
    // A file dropped beside the zone would otherwise open in this tab, on screen, for anyone nearby.
    for (const type of ["dragover", "drop"]) {
      document.addEventListener(type, (event) => event.preventDefault());
    }
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const entry = this.entries.find((e) => e.row.contains(button));
      if (entry) this.act(entry, button.dataset.action);
    });
  }

  showLimits() {
    const { maxImageBytes, maxVideoBytes, maxVideoSeconds } = this.limits;
    this.root.querySelector("[data-limits]").textContent = fill(
      gettext(
        "You can choose several photos and videos at once: photos up to %(image)s each, videos up to %(video)s and %(minutes)s minutes each.",
      ),
      { image: formatBytes(maxImageBytes), video: formatBytes(maxVideoBytes), minutes: Math.round(maxVideoSeconds / 60) },
    );
  }

  add(files) {
    for (const file of files) {
      const row = this.template.content.firstElementChild.cloneNode(true);
      row.querySelector(".file-name").textContent = file.name;
      const bar = row.querySelector("progress");
      bar.setAttribute("aria-label", fill(gettext("Progress for %(name)s"), { name: file.name }));
      const entry = { id: this.nextId++, file, row, state: "waiting", fraction: 0, result: null, error: null };
      entry.controller = new AbortController();
      this.entries.push(entry);
      this.list.append(row);
      this.render(entry);
      this.queue = this.queue.then(() => this.process(entry));
    }
    if (files.length) {
      this.announce(fill(ngettext("%(count)s file added.", "%(count)s files added.", files.length), { count: files.length }));
    }
    this.changed();
  }

  async process(entry) {
    if (entry.state !== "waiting") return; // stopped or removed while it waited
    let hasher;
    try {
      hasher = await this.hasher;
      await hasher.ready;
    } catch {
      return this.fail(entry, "runtime_failed");
    }
    if (entry.state !== "waiting") return;
    entry.state = "working";
    this.render(entry);
    this.changed();
    try {
      entry.result = await hasher.hash(entry.file, {
        signal: entry.controller.signal,
        onProgress: (fraction) => {
          entry.fraction = fraction;
          entry.row.querySelector("progress").value = Math.round(fraction * 100);
          this.renderOverall();
        },
      });
      entry.fraction = 1;
      const twin = this.entries.find(
        (other) => other !== entry && other.state === "done" && exactHash(other.result.item) === exactHash(entry.result.item),
      );
      entry.state = twin ? "duplicate" : "done";
      entry.twin = twin?.file.name;
      this.announce(`${entry.file.name}: ${this.statusText(entry)}`);
    } catch (error) {
      if (entry.state === "removed") return;
      this.fail(entry, error.code || "unreadable");
      return;
    }
    this.render(entry);
    this.changed();
  }

  fail(entry, code) {
    entry.state = "error";
    entry.error = code;
    this.announce(`${entry.file.name}: ${this.statusText(entry)}`);
    this.render(entry);
    this.changed();
  }

  act(entry, action) {
    const preview = entry.row.querySelector(".preview");
    const image = preview.querySelector("img");
    if (action === "cancel") {
      const wasWaiting = entry.state === "waiting";
      entry.controller.abort();
      if (wasWaiting) this.fail(entry, "cancelled");
    } else if (action === "preview") {
      entry.previewUrl = URL.createObjectURL(entry.file);
      image.src = entry.previewUrl;
      image.alt = fill(gettext("Blurred preview of %(name)s"), { name: entry.file.name });
      image.classList.add("blurred");
      preview.hidden = false;
      this.render(entry);
      entry.row.querySelector("[data-action=unblur]").focus();
    } else if (action === "unblur") {
      const blurred = image.classList.toggle("blurred");
      image.alt = fill(blurred ? gettext("Blurred preview of %(name)s") : gettext("Preview of %(name)s"), { name: entry.file.name });
      this.render(entry);
    } else if (action === "hide") {
      this.hidePreview(entry);
      this.render(entry);
      entry.row.querySelector("[data-action=preview]").focus();
    } else if (action === "remove") {
      const index = this.entries.indexOf(entry);
      this.hidePreview(entry);
      entry.controller.abort();
      entry.state = "removed";
      entry.row.remove();
      this.entries.splice(index, 1);
      this.announce(fill(gettext("%(name)s removed."), { name: entry.file.name }));
      // Keep the keyboard in the list: on the next file's first button, or the chooser.
      const next = this.entries[index] || this.entries[index - 1];
      (next?.row.querySelector("button:not([hidden])") || this.input).focus();
      this.changed();
    }
  }

  hidePreview(entry) {
    if (!entry.previewUrl) return;
    const preview = entry.row.querySelector(".preview");
    const image = preview.querySelector("img");
    image.removeAttribute("src");
    preview.hidden = true;
    URL.revokeObjectURL(entry.previewUrl);
    entry.previewUrl = null;
  }

  statusText(entry) {
    switch (entry.state) {
      case "waiting":
        return gettext("Waiting for its turn…");
      case "working":
        return fill(gettext("Making the fingerprint… %(percent)s%"), { percent: Math.round(entry.fraction * 100) });
      case "duplicate":
        return fill(gettext("This is the same file as “%(name)s”, so it is only sent once."), { name: entry.twin });
      case "error": {
        if (entry.error === "refused") return entry.refusal;
        if (entry.error === "runtime_failed") return gettext("The fingerprint tool could not start, so this file was not fingerprinted.");
        const text = (ERROR_TEXT[entry.error] || ERROR_TEXT.unreadable)(this.limits, entry);
        return `${text} ${gettext("Nothing will be sent for it. Your other files are not affected.")}`;
      }
      case "done": {
        const notes = entry.result.notes || [];
        const parts = notes.filter((note) => NOTE_TEXT[note]).map((note) => NOTE_TEXT[note]());
        if (!notes.some((note) => note !== "two_orientations")) {
          parts.unshift(
            entry.result.kind === "video"
              ? gettext("Ready. Copies of this video, including resized or re-saved ones, can be recognised.")
              : gettext("Ready. Copies of this photo, including resized or re-saved ones, can be recognised."),
          );
        }
        return parts.join(" ");
      }
      default:
        return "";
    }
  }

  render(entry) {
    const { row, state } = entry;
    row.dataset.state = state;
    row.dataset.note = entry.result?.notes?.join(" ") || entry.error || "";
    row.querySelector(".file-status").textContent = this.statusText(entry);
    const bar = row.querySelector("progress");
    bar.hidden = state === "error" || state === "duplicate";
    if (state === "done" || state === "duplicate") bar.value = 100;
    const show = (action, visible) => (row.querySelector(`[data-action=${action}]`).hidden = !visible);
    const canPreview = !isVideo(entry.file) && state !== "error" && entry.file.size > 0;
    show("cancel", state === "waiting" || state === "working");
    show("remove", state !== "waiting" && state !== "working");
    show("preview", canPreview && !entry.previewUrl);
    show("unblur", Boolean(entry.previewUrl));
    show("hide", Boolean(entry.previewUrl));
    const unblur = row.querySelector("[data-action=unblur]");
    unblur.textContent = row.querySelector(".preview img").classList.contains("blurred") ? gettext("Unblur") : gettext("Blur again");
  }

  renderOverall() {
    const counted = this.entries.filter((e) => e.state !== "error" && e.state !== "removed");
    const overall = this.root.querySelector("[data-overall]");
    overall.hidden = this.entries.length === 0;
    const total = counted.length || 1;
    const done = counted.filter((e) => e.state === "done" || e.state === "duplicate").length;
    const sum = counted.reduce((acc, e) => acc + (e.state === "done" || e.state === "duplicate" ? 1 : e.fraction), 0);
    this.root.querySelector("[data-overall-bar]").value = Math.round((sum / total) * 100);
    const problems = this.entries.filter((e) => e.state === "error").length;
    let text = fill(ngettext("%(done)s of %(count)s file ready.", "%(done)s of %(count)s files ready.", counted.length), {
      done,
      count: counted.length,
    });
    if (problems) {
      text += ` ${fill(ngettext("%(count)s file could not be used.", "%(count)s files could not be used.", problems), { count: problems })}`;
    }
    this.root.querySelector("[data-overall-text]").textContent = text;
  }

  announce(message) {
    this.announcer.textContent = message;
  }

  changed() {
    this.renderOverall();
    this.onChange(this);
  }

  /** True while any file is waiting or being fingerprinted. */
  busy() {
    return this.entries.some((e) => e.state === "waiting" || e.state === "working");
  }

  /** The files that will be sent, in order. */
  sendable() {
    return this.entries.filter((e) => e.state === "done");
  }

  /** The API items of the files that will be sent. */
  items() {
    return this.sendable().map((e) => e.result.item);
  }

  /** Every listed file with its status in words, for the review. */
  summary() {
    return this.entries.map((e) => ({ name: e.file.name, text: this.statusText(e), ok: e.state === "done", note: e.row.dataset.note }));
  }

  /** Marks the file behind the n-th sent item as refused by the registry. */
  refuse(itemIndex, message) {
    const entry = this.sendable()[itemIndex];
    if (!entry) return;
    entry.state = "error";
    entry.error = "refused";
    entry.refusal = message;
    this.render(entry);
    this.changed();
  }

  /** Forgets every file: previews revoked, rows removed, no File object kept. */
  clear() {
    for (const entry of this.entries) {
      this.hidePreview(entry);
      entry.controller.abort();
      entry.state = "removed";
      entry.file = null;
      entry.row.remove();
    }
    this.entries = [];
    this.changed();
  }
}
