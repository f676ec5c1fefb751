"""`make bench`: every benchmark, or the ones named (`python -m bench registry matching`).

Each section prints its own table with the figures the issues ask for and the reference it is
measured against in the same run.
"""

import importlib
import sys
import time

SECTIONS = ["hashing", "matching", "registry", "webhooks", "browser", "load"]


def main(names: list[str]) -> None:
    chosen = names or SECTIONS
    unknown = [n for n in chosen if n not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section(s) {unknown}; choose from {SECTIONS}")
    for name in chosen:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"\n== {name}: not written yet ==")
            continue
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        module.run()
        print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
