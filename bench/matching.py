"""PDQ lookup at 1,000,000 hashes: our index against FAISS and numpy, single-threaded, one run.

Run with `make bench` or `.venv/bin/python -c "from bench import matching; matching.run()"`.
Issue 4's target: the lookup within 1.5x of FAISS's IndexBinaryFlat range search.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

N = 1_000_000
QUERIES = 500
PLANTED = 41  # neighbours of every query at distances 0..40
CLUSTERS = 200  # near-duplicate groups, as re-encodes of one photo make
CLUSTER_SIZE = 50


def _setup_django() -> None:
    from django.apps import apps

    if not apps.ready:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        django.setup()


def _random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 32) uint8 hashes with exactly 128 bits set: random subsets, permuted for speed."""
    block = min(n, 20_000)
    bits = np.zeros((block, 256), dtype=np.uint8)
    np.put_along_axis(bits, np.argpartition(rng.random((block, 256)), 128, axis=1)[:, :128], 1, 1)
    # Permuting bit positions keeps 128 bits set and makes each block independent of the others.
    blocks = [np.packbits(bits[:, rng.permutation(256)], axis=1) for _ in range(-(-n // block))]
    return np.concatenate(blocks)[:n]


def _neighbours(rng: np.random.Generator, centre: np.ndarray, distances: list[int]) -> np.ndarray:
    bits = np.unpackbits(centre)
    out = []
    for distance in distances:
        flipped = bits.copy()
        flipped[rng.choice(256, distance, replace=False)] ^= 1
        out.append(np.packbits(flipped))
    return np.array(out, dtype=np.uint8)


def _hex(codes: np.ndarray) -> list[str]:
    text = codes.tobytes().hex()
    return [text[i : i + 64] for i in range(0, len(text), 64)]


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = function()
    return time.perf_counter() - began, result


def _ms(seconds: list[float], q: float) -> float:
    return float(np.quantile(seconds, q)) * 1e3


def run() -> None:
    """Build every index over the same hashes, time lookups and changes, print a table."""
    _setup_django()
    import faiss

    from registry.matching import PdqIndex

    faiss.omp_set_num_threads(1)
    load_before = os.getloadavg()
    rng = np.random.default_rng(4)
    queries = _random_hashes(rng, QUERIES)
    planted = [_neighbours(rng, q, list(range(PLANTED))) for q in queries]
    centres = _random_hashes(rng, CLUSTERS)
    clustered = [_neighbours(rng, c, rng.integers(0, 24, CLUSTER_SIZE).tolist()) for c in centres]
    extra = len(planted) * PLANTED + CLUSTERS * CLUSTER_SIZE
    codes = np.concatenate([_random_hashes(rng, N - extra), *planted, *clustered])
    values = _hex(codes)
    query_values = _hex(queries)
    # A fifth of the queries land in a cluster (50 near-duplicates within reach).
    for k in range(QUERIES // 5):
        query_values[k] = _hex(_neighbours(rng, centres[k % CLUSTERS], [12]))[0]
    query_codes = np.frombuffer(bytes.fromhex("".join(query_values)), np.uint8).reshape(-1, 32)

    flat = faiss.IndexBinaryFlat(256)
    flat_build, _ = _timed(lambda: flat.add(codes))
    ours_build, index = _timed(lambda: PdqIndex.from_pairs(zip(range(N), values, strict=True)))
    words = codes.view(np.uint64).reshape(-1, 4)
    multihash = faiss.IndexBinaryMultiHash(256, 16, 16)
    multihash.nflip = 1  # exact for distances up to 31
    multihash_build, _ = _timed(lambda: multihash.add(codes))

    def flat_search(i: int) -> list[tuple[int, int]]:
        _, distances, labels = flat.range_search(query_codes[i : i + 1], 32)  # strict: < 32
        return sorted(zip(labels.tolist(), distances.tolist(), strict=True), key=lambda p: p[::-1])

    def numpy_search(i: int) -> np.ndarray:
        distances = np.bitwise_count(words ^ query_codes[i].view(np.uint64)).sum(axis=1)
        return np.flatnonzero(distances <= 31)

    # Interleaved, so that load from other work on the machine falls on every method alike.
    times: dict[str, list[float]] = {"flat": [], "ours": [], "multihash": [], "numpy": []}
    mismatches = 0
    for i in range(QUERIES):
        elapsed, expected = _timed(lambda i=i: flat_search(i))
        times["flat"].append(elapsed)
        elapsed, found = _timed(lambda i=i: index.search(query_values[i]))
        times["ours"].append(elapsed)
        mismatches += found != expected
        if i % 2 == 0:
            times["multihash"].append(
                _timed(lambda i=i: multihash.range_search(query_codes[i : i + 1], 32))[0]
            )
        if i % 20 == 0:
            elapsed, near = _timed(lambda i=i: numpy_search(i))
            times["numpy"].append(elapsed)
            mismatches += sorted(near.tolist()) != sorted(i for i, _ in expected)
    batch_ours = statistics.median(
        _timed(lambda k=k: index.search_many(query_values[k : k + 100]))[0]
        for k in range(0, 500, 100)
    )
    batch_flat = statistics.median(
        _timed(lambda k=k: flat.range_search(query_codes[k : k + 100], 32))[0]
        for k in range(0, 500, 100)
    )

    # Changes: 1,000 publishes, 1,000 withdrawals, lookups with them pending, then the merge.
    new_values = _hex(_random_hashes(rng, 1_000))
    index.add([2 * N], new_values[:1])  # warm-up: numpy imports some helpers on first use
    index.remove([2 * N])
    add_time, _ = _timed(lambda: index.add(range(N, N + 1_000), new_values))
    remove_time, _ = _timed(lambda: index.remove(range(1_000)))
    pending = [_timed(lambda q=q: index.search(q))[0] for q in query_values]
    merge_time, _ = _timed(index._merge)  # what every 4,096th change pays
    merged = [_timed(lambda q=q: index.search(q))[0] for q in query_values]

    flat_p50 = _ms(times["flat"], 0.5)
    rows = [
        ("FAISS IndexBinaryFlat", flat_build, codes.nbytes, times["flat"]),
        ("FAISS IndexBinaryMultiHash", multihash_build, None, times["multihash"]),
        ("numpy brute force", 0.0, codes.nbytes, times["numpy"]),
        ("registry.matching.PdqIndex", ours_build, index.nbytes, times["ours"]),
        ("  with 2,000 changes pending", None, None, pending),
        ("  after merging them", None, index.nbytes, merged),
    ]
    print(f"PDQ range search (distance <= 31), {N:,} hashes, 1 thread, {QUERIES} queries")
    print(f"{'method':<30} {'build s':>8} {'MB':>7} {'p50 ms':>8} {'p99 ms':>8} {'/FAISS':>7}")
    for name, build, nbytes, seconds in rows:
        build_text = "" if build is None else f"{build:.2f}"
        mb_text = "" if nbytes is None else f"{nbytes / 1e6:.0f}"
        p50 = _ms(seconds, 0.5)
        print(
            f"{name:<30} {build_text:>8} {mb_text:>7} {p50:>8.3f} {_ms(seconds, 0.99):>8.3f}"
            f" {p50 / flat_p50:>6.2f}x"
        )
    print(f"batch of 100: PdqIndex.search_many {batch_ours * 1e3:.1f} ms, ", end="")
    print(f"FAISS range_search {batch_flat * 1e3:.1f} ms (medians of 5)")
    print(f"add 1,000: {add_time * 1e3:.1f} ms; remove 1,000: {remove_time * 1e3:.1f} ms; ", end="")
    print(f"merge of 2,000 pending changes: {merge_time * 1e3:.0f} ms")
    print(f"results differing from FAISS or numpy: {mismatches}")
    print(f"load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} ", end="")
    print(f"on {os.cpu_count()} cores (other work shares this machine)")
    print(
        'command: make bench, or .venv/bin/python -c "from bench import matching; matching.run()"'
    )
    sys.stdout.flush()
