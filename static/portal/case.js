// The case page: open a case with its number and access code (sent in POST bodies only), see
// what has become of it in plain words, protect more files, or withdraw everything.

import { explain, post, refusedItems } from "./api.js";
import { FileList } from "./file-list.js";
import { startHasher } from "./hashing.js";
import { fill, gettext, ngettext } from "./i18n.js";

const page = document.getElementById("case-page");
const form = document.getElementById("open-form");
const openError = document.getElementById("open-error");
const sections = ["status-section", "add-section", "withdraw-section"].map((id) => document.getElementById(id));
const addSend = document.getElementById("add-send");
let access = null; // {case_number, access_code}: only in this page's memory

// Pyodide starts now, so it is ready by the time the case is open and files are chosen.
const files = new FileList(page.querySelector("[data-file-picker]"), startHasher(page), {
  onChange: (list) => {
    addSend.disabled = list.busy() || list.sendable().length === 0;
    document.getElementById("add-payload").textContent = JSON.stringify(addPayload(), null, 2);
  },
});

function addPayload() {
  return { case_number: access?.case_number ?? "", access_code: access?.access_code ?? "", items: files.items() };
}

function line(text) {
  const item = document.createElement("li");
  item.textContent = text;
  return item;
}

/** A pluralised message with its count filled in (ngettext stays visible to makemessages). */
function count(message, n) {
  return fill(message, { count: n });
}

function showStatus(status) {
  const heading = document.getElementById("status-heading");
  heading.textContent = fill(gettext("Case %(number)s"), { number: status.case_number });
  const list = document.getElementById("status-list");
  const { hashes, verdicts } = status;
  const date = new Date(`${status.created}T00:00:00`).toLocaleDateString(document.documentElement.lang, { dateStyle: "long" });
  const rows = [fill(gettext("Opened on %(date)s."), { date })];
  if (status.status === "withdrawn") {
    rows.push(gettext("This case is withdrawn: its fingerprints are no longer shared, and platforms were told to stop using them."));
  } else {
    rows.push(
      count(ngettext("%(count)s file is protected in this case.", "%(count)s files are protected in this case.", status.files), status.files),
      count(ngettext("%(count)s fingerprint is active and shared with platforms.",
        "%(count)s fingerprints are active and shared with platforms.",
        hashes.active), hashes.active),
    );
    if (hashes.pending) {
      rows.push(count(ngettext("%(count)s fingerprint is waiting for a routine check before it is shared.", "%(count)s fingerprints are waiting for a routine check before they are shared.", hashes.pending), hashes.pending));
    }
    if (hashes.quarantined) {
      rows.push(count(ngettext("%(count)s fingerprint was set aside for a closer look after platforms reported it.", "%(count)s fingerprints were set aside for a closer look after platforms reported them.", hashes.quarantined), hashes.quarantined));
    }
    if (status.partners_total === 0) {
      rows.push(gettext("No participating platform is connected yet: your fingerprints are kept ready for the first one."));
    } else rows.push(
      fill(
        ngettext(
          "%(received)s of %(total)s participating platform has received your fingerprints.",
          "%(received)s of %(total)s participating platforms have received your fingerprints.",
          status.partners_total,
        ),
        { received: status.partners_received, total: status.partners_total },
      ),
    );
  }
  const reported = verdicts.removed + verdicts.pending_review + verdicts.not_violating;
  if (reported === 0) {
    rows.push(gettext("No platform has reported a match yet. That is common: it means no copy has been found so far."));
  } else {
    rows.push(
      count(ngettext("Platforms removed matching content %(count)s time.", "Platforms removed matching content %(count)s times.", verdicts.removed), verdicts.removed),
      count(ngettext("%(count)s match is being reviewed by a platform.", "%(count)s matches are being reviewed by platforms.", verdicts.pending_review), verdicts.pending_review),
      count(ngettext("%(count)s match was found by a platform not to break its rules.",
        "%(count)s matches were found by platforms not to break their rules.",
        verdicts.not_violating), verdicts.not_violating),
    );
  }
  list.replaceChildren(...rows.map(line));
  const active = status.status !== "withdrawn";
  sections[0].hidden = false;
  sections[1].hidden = !active;
  sections[2].hidden = !active;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const candidate = { case_number: String(data.get("case_number")).trim(), access_code: String(data.get("access_code")).trim() };
  if (!candidate.case_number || !candidate.access_code) {
    openError.textContent = gettext("Please enter both the case number and the access code.");
    form.querySelector(candidate.case_number ? "#access-code-input" : "#case-number-input").focus();
    return;
  }
  openError.textContent = gettext("Looking for your case…");
  try {
    const status = await post(page.dataset.statusUrl, candidate);
    openError.textContent = "";
    access = candidate;
    form.reset();
    document.getElementById("open-section").hidden = true;
    showStatus(status);
    document.getElementById("status-heading").focus();
  } catch (failure) {
    openError.textContent = explain(failure);
  }
});

document.getElementById("open-button").disabled = false;

addSend.addEventListener("click", async () => {
  const error = document.getElementById("add-error");
  const message = document.getElementById("status-message");
  addSend.disabled = true;
  error.textContent = gettext("Sending…");
  try {
    const added = files.items().length;
    const status = await post(page.dataset.itemsUrl, addPayload());
    error.textContent = "";
    files.clear();
    showStatus(status);
    message.textContent = fill(ngettext("%(count)s more file is now protected.", "%(count)s more files are now protected.", added), { count: added });
    document.getElementById("status-heading").focus();
  } catch (failure) {
    error.textContent = explain(failure);
    for (const index of refusedItems(failure)) {
      files.refuse(index, gettext("Not accepted by the registry (it may match a widely shared picture that is not intimate). Nothing will be sent for it."));
    }
    addSend.disabled = files.busy() || files.sendable().length === 0;
  }
});

const confirmBox = document.getElementById("withdraw-confirm");
const withdrawStart = document.getElementById("withdraw-start");
withdrawStart.addEventListener("click", () => {
  confirmBox.hidden = false;
  withdrawStart.hidden = true;
  document.getElementById("withdraw-question").focus();
});
document.getElementById("withdraw-no").addEventListener("click", () => {
  confirmBox.hidden = true;
  withdrawStart.hidden = false;
  withdrawStart.focus();
});
document.getElementById("withdraw-yes").addEventListener("click", async () => {
  const error = document.getElementById("withdraw-error");
  error.textContent = gettext("Withdrawing…");
  try {
    const answer = await post(page.dataset.withdrawUrl, access);
    error.textContent = "";
    files.clear();
    confirmBox.hidden = true;
    withdrawStart.hidden = false;
    const status = await post(page.dataset.statusUrl, access).catch(() => null);
    if (status) showStatus(status);
    else for (const section of sections.slice(1)) section.hidden = true;
    document.getElementById("status-message").textContent = fill(
      ngettext(
        "Your case is withdrawn. %(count)s fingerprint was taken back, and platforms were told to stop using it.",
        "Your case is withdrawn. %(count)s fingerprints were taken back, and platforms were told to stop using them.",
        answer.removed_from_feed,
      ),
      { count: answer.removed_from_feed },
    );
    document.getElementById("status-heading").focus();
  } catch (failure) {
    error.textContent = explain(failure);
  }
});

document.getElementById("close-case").addEventListener("click", () => {
  access = null;
  files.clear();
  for (const section of sections) section.hidden = true;
  document.getElementById("status-message").textContent = "";
  document.getElementById("open-section").hidden = false;
  document.getElementById("case-number-input").focus();
});
