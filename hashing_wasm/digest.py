"""MD5 and SHA-256 of a file fed in chunks, so a large video never sits whole in memory."""

import hashlib

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


class FileDigest:
    """Running MD5 and SHA-256 over the chunks of one file."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        """Feed the next chunk of the file (under Pyodide, a JavaScript Uint8Array works too)."""
        to_memoryview = getattr(chunk, "to_memoryview", None)
        if to_memoryview is not None:  # a JsProxy: one copy into wasm memory
            chunk = to_memoryview()
        self._md5.update(chunk)
        self._sha256.update(chunk)
        self.size += len(chunk)

    @property
    def md5(self) -> str:
        """Hex MD5 of the bytes so far."""
        return self._md5.hexdigest()

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes so far."""
        return self._sha256.hexdigest()
