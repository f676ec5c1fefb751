"""Exceptions raised by hashing_wasm: one base class, so a caller (the browser worker, a view, the
command line) can catch every refusal of bad input with a single `except HashingError` and show its
message, while programming errors (TypeError from a wrong argument type) still surface as such."""


class HashingError(ValueError):
    """Base class: the input cannot be hashed or parsed; the message says why."""


class PixelBufferError(HashingError):
    """A pixel buffer does not match its stated width, height and channel count."""


class HashFormatError(HashingError):
    """A hash string is malformed (length, characters) or degenerate."""


class ExifError(HashingError):
    """JPEG bytes are not a JPEG, or their headers are truncated or corrupt."""


class VpdqFormatError(HashingError):
    """A vPDQ serialisation (JSON signal or hash file line) cannot be parsed."""
