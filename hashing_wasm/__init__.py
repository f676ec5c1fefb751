"""Hashing for the registry: MD5 and SHA-256 for exact copies, PDQ for similar images, vPDQ for videos.

Pure standard-library Python with no Django, so the same source runs on the server (CPython) and in
the person's browser (Pyodide, from the wheel built out of this folder).
"""

from hashing_wasm.digest import FileDigest

__all__ = ["FileDigest"]
