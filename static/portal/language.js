// The language switcher posts Django's set_language form. Under our no-referrer policy a plain
// form POST carries "Origin: null", which the CSRF check refuses, so the script sends the same
// form with fetch (same-origin mode sends the real Origin) and reloads. Without scripts, the
// form is still posted as is.

const form = document.getElementById("language-form");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = new FormData(form);
  if (event.submitter?.name) body.set(event.submitter.name, event.submitter.value);
  const response = await fetch(form.action, { method: "POST", body, mode: "same-origin", redirect: "manual" });
  if (response.type === "opaqueredirect" || response.ok) window.location.reload();
});
