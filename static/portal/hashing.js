// Starts the page's hasher (static/portal/hasher.js) from the URLs the template puts on `root`.
// Pyodide starts loading in its worker at once, so it is ready by the time files are chosen.

import { Hasher, LIMITS } from "./hasher.js";

export async function startHasher(root) {
  const { workerUrl, pyodideIndexUrl: indexURL, pyodideLockUrl: lockFileURL } = root.dataset;
  return { hasher: new Hasher({ workerUrl, indexURL, lockFileURL }), limits: LIMITS };
}
