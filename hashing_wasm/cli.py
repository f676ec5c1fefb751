"""The command line: `python -m hashing_wasm hash [--full-resolution] [--dihedral] FILE...`.

For each file it prints one JSON object on its own line: file, size, md5 and sha256 of the bytes,
and for images width, height, pdq and quality. PDQ is computed on Pillow's full-resolution RGB
decode (`Image.convert("RGB")`, EXIF orientation NOT applied), exactly what `pdqhash` and
python-threatexchange compute, so the output can be checked against any partner's tools; this is
also the default (`--full-resolution` only makes it explicit), because every pre-resizing costs bits
and no reference applies one. When a JPEG's EXIF orientation is not 1, `pdq_displayed` and
`quality_displayed` add the hash of the orientation a browser shows. A file that is not an image
gets its digests and a `note`; without Pillow installed, images get only digests and a note too.
A missing or unreadable file is reported on stderr and makes the exit status 1.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hashing_wasm.digest import FileDigest
from hashing_wasm.errors import HashingError
from hashing_wasm.exif import is_jpeg, read_orientation
from hashing_wasm.pdq import pdq_dihedral_from_pixels, pdq_from_pixels

CHUNK_BYTES = 1 << 20
EXIT_OK, EXIT_FILE_ERROR, EXIT_USAGE = 0, 1, 2


def digest_file(path: Path) -> FileDigest:
    """MD5 and SHA-256 of a file read in 1 MiB chunks."""
    digest = FileDigest()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest


def hash_file(path: Path, *, dihedral: bool = False) -> dict[str, Any]:
    """The JSON-ready record for one file; OSError if it cannot be read."""
    digest = digest_file(path)
    record: dict[str, Any] = {
        "file": str(path),
        "size": digest.size,
        "md5": digest.md5,
        "sha256": digest.sha256,
    }
    try:
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError:
        record["note"] = "Pillow is not installed: no PDQ (install pillow to hash images)"
        return record
    orientation = _jpeg_orientation(path)
    displayed = None
    try:
        with Image.open(path) as image:
            rgb = image.convert("RGB")
            if orientation not in (None, 1):
                displayed = ImageOps.exif_transpose(image).convert("RGB")
    except UnidentifiedImageError:
        record["note"] = "not an image Pillow can decode: digests only"
        return record
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        record["note"] = f"image could not be decoded ({error}): digests only"
        return record
    record["width"], record["height"] = rgb.size
    if dihedral:
        variants = pdq_dihedral_from_pixels(rgb.tobytes(), rgb.width, rgb.height, 3)
        record.update(variants.as_dict())
        record["pdq"] = variants.hashes[0]
    else:
        record.update(pdq_from_pixels(rgb.tobytes(), rgb.width, rgb.height, 3).as_dict())
    if orientation is not None:
        record["exif_orientation"] = orientation
    if displayed is not None:
        shown = pdq_from_pixels(displayed.tobytes(), displayed.width, displayed.height, 3)
        record["pdq_displayed"] = shown.hash
        record["quality_displayed"] = shown.quality
    return record


def _jpeg_orientation(path: Path) -> int | None:
    """EXIF orientation of a JPEG file, None for other files or unreadable headers."""
    data = path.read_bytes()
    if not is_jpeg(data):
        return None
    try:
        return read_orientation(data)
    except HashingError:
        return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hashing_wasm",
        description="Hash files as the registry does: MD5, SHA-256 and, for images, PDQ.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    hash_command = commands.add_parser("hash", help="print one JSON object per file")
    hash_command.add_argument(
        "--full-resolution",
        action="store_true",
        help="PDQ of Pillow's full-resolution RGB decode, no EXIF rotation (also the default)",
    )
    hash_command.add_argument(
        "--dihedral", action="store_true", help="add the 8 rotated and mirrored PDQ hashes"
    )
    hash_command.add_argument("files", nargs="+", type=Path, metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    status = EXIT_OK
    for path in args.files:
        try:
            record = hash_file(path, dihedral=args.dihedral)
        except FileNotFoundError:
            print(f"error: {path}: no such file", file=sys.stderr)
            status = EXIT_FILE_ERROR
            continue
        except OSError as error:
            print(f"error: {path}: {error.strerror or error}", file=sys.stderr)
            status = EXIT_FILE_ERROR
            continue
        print(json.dumps(record), flush=True)
    return status
