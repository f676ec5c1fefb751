// The registry's public API as the pages use it: JSON bodies only (the case number and code never
// go in a URL), no cookies, nothing cached, and every failure turned into words for the person.

import { gettext } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** POSTs `body` as JSON to our own API; resolves to the answer's JSON or throws ApiError. */
export async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      mode: "same-origin",
    });
  } catch {
    throw new ApiError(0, null);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

/** What went wrong, in plain words. */
export function explain(error) {
  switch (error.status) {
    case 0:
      return gettext("We could not reach the service. Check your internet connection and try again: nothing has been lost on this page.");
    case 404:
      return gettext("We could not find a case with that number and access code. Check both and try again; capital letters and dashes do not matter.");
    case 409:
      return gettext("This case cannot take these files: it may be withdrawn or full, or one of the files is already in it.");
    case 413:
      return gettext("That is too much to send at once. Please send fewer files at a time.");
    case 429:
      return gettext("There have been too many tries from this connection. Please wait a few minutes, then try again.");
    case 400:
      return gettext("Some of what we tried to send was not accepted. Check the list of files, remove any marked as not accepted, and try again.");
    default:
      return gettext("Something went wrong on our side. Please try again in a few minutes.");
  }
}

/** The indexes of the items the registry refused in a 400 answer, when it says which. */
export function refusedItems(error) {
  const detail = error.body?.detail?.items;
  if (!detail) return [];
  if (!Array.isArray(detail) && typeof detail === "object") return Object.keys(detail).map(Number);
  const found = [];
  for (const message of [].concat(detail)) {
    const match = /Item (\d+)/.exec(String(message));
    if (match) found.push(Number(match[1]) - 1);
  }
  return found;
}
