// The scripts' words in the visitor's language. Django's JavaScriptCatalog (a same-origin classic
// script loaded before the modules) defines gettext and friends; when it failed to load, the
// English source strings are used rather than breaking the page.

const catalog = globalThis;

// The names match Django's so that `makemessages -d djangojs` finds every string.

/** The translation of an English message. */
export function gettext(message) {
  return typeof catalog.gettext === "function" ? catalog.gettext(message) : message;
}

/** The singular or plural translation for `count`. */
export function ngettext(singular, plural, count) {
  if (typeof catalog.ngettext === "function") return catalog.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** A message with its %(name)s placeholders filled. */
export function fill(message, values) {
  return message.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** A byte count in the visitor's language, e.g. "2.5 MB". */
export function formatBytes(bytes) {
  const language = document.documentElement.lang || "en";
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  // Binary units, as phones and computers show file sizes.
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
