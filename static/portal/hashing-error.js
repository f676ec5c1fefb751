// The one error type the hashing throws: .code says what went wrong, in words the page maps to a
// message ("empty", "too_large", "too_long", "unreadable", "not_media", "cancelled",
// "runtime_failed").

export class HashingError extends Error {
  constructor(code, message = code) {
    super(message);
    this.name = "HashingError";
    this.code = code;
  }
}
