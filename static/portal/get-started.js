// The Get Started flow: one question, files fingerprinted on this device, a review of exactly
// what will be sent, then the case number and access code. One page, so Pyodide loads once,
// starting now, while the person reads the question.

import { explain, post, refusedItems } from "./api.js";
import { saveControls } from "./case-record.js";
import { FileList } from "./file-list.js";
import { startHasher } from "./hashing.js";
import { fill, gettext, ngettext } from "./i18n.js";

const flow = document.getElementById("flow");
const started = startHasher(flow);
const steps = [...flow.querySelectorAll(".step")];
const baseTitle = document.title;
const toReview = document.getElementById("to-review");

const files = new FileList(flow.querySelector("[data-file-picker]"), started, {
  onChange: (list) => {
    toReview.disabled = list.busy() || list.sendable().length === 0;
  },
});

// "Not sure" counts as under 18: the more protective category.
const CATEGORY = { yes: "minor", unsure: "minor", no: "adult" };
let category = null;

function show(id) {
  for (const step of steps) step.hidden = step.id !== id;
  const heading = document.getElementById(id).querySelector("h2");
  document.title = `${heading.textContent} · ${baseTitle}`;
  heading.focus();
  window.scrollTo(0, 0);
}

document.getElementById("questions").addEventListener("submit", (event) => {
  event.preventDefault();
  const answer = new FormData(event.target).get("age");
  const error = document.getElementById("questions-error");
  if (!answer) {
    error.textContent = gettext("Please choose one answer. If you are not sure, choose “I'm not sure”.");
    event.target.querySelector("input[name=age]").focus();
    return;
  }
  error.textContent = "";
  category = CATEGORY[answer];
  show("step-files");
});

document.getElementById("questions-continue").disabled = false;

for (const back of flow.querySelectorAll("[data-back]")) {
  back.addEventListener("click", () => show(back.dataset.back));
}

function payload() {
  return { category, items: files.items() };
}

toReview.addEventListener("click", () => {
  const list = document.getElementById("review-list");
  list.replaceChildren();
  for (const entry of files.summary()) {
    const row = document.createElement("li");
    row.className = entry.ok ? "ok" : "problem";
    row.dataset.note = entry.note;
    const name = document.createElement("strong");
    name.textContent = entry.name;
    row.append(name, document.createElement("br"), entry.text);
    list.append(row);
  }
  const count = files.items().length;
  document.getElementById("review-summary").textContent = fill(
    ngettext(
      "The fingerprints of %(count)s file will be sent. Files marked with a problem are left out.",
      "The fingerprints of %(count)s files will be sent. Files marked with a problem are left out.",
      count,
    ),
    { count },
  );
  document.getElementById("payload").textContent = JSON.stringify(payload(), null, 2);
  document.getElementById("send-error").textContent = "";
  show("step-review");
});

const sendButton = document.getElementById("send");
sendButton.addEventListener("click", async () => {
  const error = document.getElementById("send-error");
  sendButton.disabled = true;
  error.textContent = gettext("Sending…");
  try {
    const answer = await post(flow.dataset.casesUrl, payload());
    error.textContent = "";
    files.clear(); // nothing of the files is kept once their fingerprints are in the case
    showCase(answer);
  } catch (failure) {
    error.textContent = explain(failure);
    for (const index of refusedItems(failure)) {
      files.refuse(index, gettext("Not accepted by the registry (it may match a widely shared picture that is not intimate). Nothing will be sent for it."));
    }
  } finally {
    sendButton.disabled = false;
  }
});

function showCase({ case_number: number, access_code: code }) {
  document.getElementById("case-number").textContent = number;
  document.getElementById("access-code").textContent = code;
  const caseUrl = new URL(flow.dataset.casePageUrl, location.href).href;
  document.getElementById("case-url-line").textContent = fill(gettext("Come back to your case at %(url)s"), { url: caseUrl });
  saveControls({ number, code, caseUrl });
  show("step-done");
}
