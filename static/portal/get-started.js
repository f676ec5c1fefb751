// The Get Started page: starts the hashing worker at once, hashes the chosen files in it, and
// sends only their hashes to the registry.

const flow = document.getElementById("flow");
const runtimeStatus = document.getElementById("runtime-status");
const picker = document.getElementById("files");
const results = document.getElementById("results");
const submitButton = document.getElementById("submit");
const submitError = document.getElementById("submit-error");
const rowTemplate = document.getElementById("result-row");

const files = new Map(); // id -> {row, md5, state}
let nextId = 0;

const worker = new Worker(flow.dataset.workerUrl, { type: "module" });
worker.postMessage({
  type: "init",
  indexURL: new URL(flow.dataset.pyodideIndexUrl, location.href).href,
  lockFileURL: new URL(flow.dataset.pyodideLockUrl, location.href).href,
});

worker.addEventListener("message", ({ data }) => {
  const entry = files.get(data.id);
  switch (data.type) {
    case "ready":
      runtimeStatus.textContent = "Ready. Choose your files: they stay on this device.";
      picker.disabled = false;
      break;
    case "failed":
      runtimeStatus.textContent = `The fingerprint tool could not start: ${data.message}`;
      break;
    case "progress":
      entry.row.querySelector("progress").value = data.done / data.total;
      break;
    case "result":
      entry.state = "done";
      entry.md5 = data.md5;
      entry.mediaType = entry.file.type.startsWith("video/") ? "video" : "image";
      entry.row.querySelector("progress").value = 1;
      entry.row.querySelector(".md5").textContent = data.md5;
      entry.row.querySelector(".note").textContent = "Fingerprint ready.";
      entry.file = null; // keep nothing of the file once it is hashed
      break;
    case "error":
      entry.state = "error";
      entry.row.querySelector(".note").textContent = data.message;
      entry.file = null;
      break;
  }
  updateSubmit();
});

picker.addEventListener("change", () => {
  for (const file of picker.files) {
    const id = nextId++;
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    row.querySelector(".name").textContent = file.name;
    results.append(row);
    files.set(id, { row, file, state: "hashing" });
    worker.postMessage({ type: "hash", id, file });
  }
  picker.value = "";
  updateSubmit();
});

function readyItems() {
  return [...files.values()].filter((entry) => entry.state === "done");
}

function updateSubmit() {
  const busy = [...files.values()].some((entry) => entry.state === "hashing");
  submitButton.disabled = busy || readyItems().length === 0;
}

submitButton.addEventListener("click", async () => {
  submitButton.disabled = true;
  submitError.textContent = "";
  const category = document.querySelector("input[name=category]:checked").value;
  const items = readyItems().map((entry) =>
    entry.mediaType === "video"
      ? { media_type: "video", video_md5: entry.md5 }
      : { media_type: "image", photo_md5: entry.md5 },
  );
  try {
    const response = await fetch(flow.dataset.casesUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ category, items }),
      credentials: "omit",
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(JSON.stringify(answer.detail));
    document.getElementById("case-number").textContent = answer.case_number;
    document.getElementById("access-code").textContent = answer.access_code;
    document.getElementById("confirmation").hidden = false;
  } catch (error) {
    submitError.textContent = `The fingerprints could not be sent: ${error.message}`;
    updateSubmit();
  }
});
