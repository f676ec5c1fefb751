"""Entry point for `python -m hashing_wasm`; see hashing_wasm.cli for the commands."""

import sys

from hashing_wasm.cli import main

sys.exit(main())
