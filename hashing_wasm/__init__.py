"""Hashing for the registry: MD5 and SHA-256 for exact copies, PDQ for similar images, vPDQ for videos.

Pure standard-library Python with no Django, so the same source runs on the server (CPython) and in
the person's browser (Pyodide, from the wheel built out of this folder). The browser worker calls
`pdq_from_rgba(image_data.data, width, height)` (or `pdq_dihedral_from_pixels`) on a canvas's
pixels, `FileDigest` on the file's chunks, and the EXIF helpers on JPEG bytes; see the modules.
"""

from hashing_wasm.digest import EMPTY_MD5, FileDigest
from hashing_wasm.errors import (
    ExifError,
    HashFormatError,
    HashingError,
    PixelBufferError,
    VpdqFormatError,
)
from hashing_wasm.exif import is_jpeg, read_orientation, with_orientation_reset
from hashing_wasm.pdq import (
    DIHEDRAL_NAMES,
    MATCH_DISTANCE,
    MIN_QUALITY,
    ZERO_HASH,
    PdqDihedral,
    PdqHash,
    hamming_distance,
    is_pdq_match,
    parse_pdq_hash,
    pdq_dihedral_from_pixels,
    pdq_from_pixels,
    pdq_from_rgb,
    pdq_from_rgba,
    validate_pdq_hash,
)
from hashing_wasm.vpdq import (
    VpdqFeature,
    VpdqMatch,
    format_hash_file,
    from_threatexchange_json,
    hash_frame,
    is_vpdq_match,
    match_vpdq,
    parse_hash_file,
    sampled_frame_numbers,
    to_threatexchange_json,
)

__all__ = [
    "DIHEDRAL_NAMES",
    "EMPTY_MD5",
    "MATCH_DISTANCE",
    "MIN_QUALITY",
    "ZERO_HASH",
    "ExifError",
    "FileDigest",
    "HashFormatError",
    "HashingError",
    "PdqDihedral",
    "PdqHash",
    "PixelBufferError",
    "VpdqFeature",
    "VpdqFormatError",
    "VpdqMatch",
    "format_hash_file",
    "from_threatexchange_json",
    "hamming_distance",
    "hash_frame",
    "is_jpeg",
    "is_pdq_match",
    "is_vpdq_match",
    "match_vpdq",
    "parse_hash_file",
    "parse_pdq_hash",
    "pdq_dihedral_from_pixels",
    "pdq_from_pixels",
    "pdq_from_rgb",
    "pdq_from_rgba",
    "read_orientation",
    "sampled_frame_numbers",
    "to_threatexchange_json",
    "validate_pdq_hash",
    "with_orientation_reset",
]
