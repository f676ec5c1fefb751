"""MD5 and SHA-256 of a file fed in chunks equal the digests of the whole file."""

import hashlib
import os

from hashing_wasm import EMPTY_MD5, FileDigest


def test_it_digests_chunks_like_the_whole_file():
    data = os.urandom(3 * 1024 * 1024 + 17)
    digest = FileDigest()
    for start in range(0, len(data), 65536 + 3):
        digest.update(memoryview(data)[start : start + 65536 + 3])
    assert digest.md5 == hashlib.md5(data).hexdigest()
    assert digest.sha256 == hashlib.sha256(data).hexdigest()
    assert digest.size == len(data)


def test_it_knows_the_empty_file():
    assert FileDigest().md5 == EMPTY_MD5
    assert FileDigest().size == 0
