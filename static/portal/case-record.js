// Saving the case number and access code, shown only once: copy, download as a text file, print.
// Until one of them is used, leaving the page asks first, except through Quick exit.

import { fill, gettext } from "./i18n.js";

function recordText({ number, code, caseUrl }) {
  return [
    gettext("Take Back: your case"),
    "",
    `${gettext("Case number")}: ${number}`,
    `${gettext("Access code")}: ${code}`,
    "",
    fill(gettext("Come back to your case at %(url)s"), { url: caseUrl }),
    gettext("Keep this private: anyone with both can see or withdraw your case."),
    "",
  ].join("\n");
}

export function saveControls(record) {
  const status = document.getElementById("save-status");
  const text = recordText(record);
  let saved = false;

  const warn = (event) => {
    if (saved) return;
    event.preventDefault();
    event.returnValue = ""; // the browser shows its own "Leave site?" question
  };
  window.addEventListener("beforeunload", warn);
  document.addEventListener("quick-exit", () => window.removeEventListener("beforeunload", warn));
  const done = (message) => {
    saved = true;
    status.textContent = message;
  };

  document.getElementById("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      done(gettext("Copied. Paste it somewhere private, such as a note only you can open."));
    } catch {
      // No clipboard here (an old browser, or permission refused): select it for copying by hand.
      const selection = getSelection();
      selection.selectAllChildren(document.getElementById("case-record"));
      status.textContent = gettext("Copying did not work here. The case number and code are selected: copy them by hand.");
    }
  });

  document.getElementById("download").addEventListener("click", () => {
    // A Blob URL on a link that is never in the page, revoked once the download has begun.
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = fill(gettext("case-%(number)s.txt"), { number: record.number });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    done(gettext("Downloaded. Check your downloads folder, and move the file somewhere private."));
  });

  document.getElementById("print").addEventListener("click", () => {
    window.print();
    done(gettext("Sent to the printer. Keep the paper somewhere private."));
  });
}
