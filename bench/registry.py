"""The registry's API under gunicorn on PostgreSQL: submissions, feed pulls, export and matching.

`run()` creates a throwaway database beside the one DATABASE_URL names, loads 1,000,000 active PDQ
hashes with COPY, starts gunicorn on 127.0.0.1 against it and measures, over HTTP:
- submissions per second (concurrent clients, 3 hashes each),
- feed events per second pulled a page of 1,000 at a time,
- the streamed export of the whole active set,
- /api/v1/match p50 and p99 for one PDQ hash at a time, beside FAISS's IndexBinaryFlat range
  search and our index's own lookup on the same hashes in this process.
"""

import hashlib
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bench.common import fresh_database

REPO = Path(__file__).resolve().parents[1]
HASHES = 1_000_000
PER_CASE = 50
PORT = 8799
SUBMISSIONS = 400
SUBMIT_CLIENTS = 4
MATCH_QUERIES = 400
FEED_EVENTS = 200_000


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _random_pdq(rng: np.random.Generator, n: int) -> list[str]:
    """n hex PDQ hashes with exactly 128 bits set."""
    bits = np.zeros((n, 256), dtype=np.uint8)
    picks = np.argpartition(rng.random((n, 256)), 128, axis=1)[:, :128]
    np.put_along_axis(bits, picks, 1, axis=1)
    return [row.tobytes().hex() for row in np.packbits(bits, axis=1)]


def _load(url: str, values: list[str]) -> None:
    """Cases, hashes and add events for `values`, as submissions would have written them."""
    import psycopg

    cases = len(values) // PER_CASE
    today = time.strftime("%Y-%m-%d")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY registry_case (id, number, code_hash, category, status, created_on) FROM STDIN"
        ) as copy:
            for c in range(1, cases + 1):
                copy.write_row((c, f"BENCH-{c:08d}", "0" * 64, "adult", "active", today))
        with cur.copy(
            "COPY registry_signal (id, case_id, item, signal_type, media_type, value, quality, "
            "status, created_on) FROM STDIN"
        ) as copy:
            for i, value in enumerate(values, start=1):
                case = (i - 1) // PER_CASE + 1
                copy.write_row(
                    (i, case, (i - 1) % PER_CASE, "pdq", "image", value, 90, "active", today)
                )
        with cur.copy(
            "COPY registry_feedevent (seq, action, signal_id, created_at) FROM STDIN"
        ) as copy:
            now = time.strftime("%Y-%m-%d %H:%M:%S+00")
            for i in range(1, len(values) + 1):
                copy.write_row((i, "add", i, now))
        for table, column in (
            ("registry_case", "id"),
            ("registry_signal", "id"),
            ("registry_feedevent", "seq"),
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"  # noqa: S608
            )
        cur.execute("ANALYZE")


def _request(conn: http.client.HTTPConnection, method: str, path: str, body=None, key=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    started = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not start")


def run() -> None:
    url = fresh_database("takedown_bench")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "RATE_LIMIT_SUBMIT_PER_HOUR": "1000000",
        "RATE_LIMIT_CASE_ACCESS_PER_HOUR": "1000000",
        "RATE_LIMIT_KEY_PREFIX": f"bench:{secrets.token_hex(4)}",
        "DEBUG": "0",
    }
    rng = np.random.default_rng(11)
    print(f"loading {HASHES:,} PDQ hashes into a fresh database ...", flush=True)
    started = time.perf_counter()
    _manage(env, "migrate", "--no-input", "-v0")
    values = _random_pdq(rng, HASHES)
    _load(url, values)
    print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
    key = (
        _manage(env, "create_partner", "Bench", "--scope", "feed:read", "--scope", "match")
        .strip()
        .splitlines()[-1]
    )

    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi",
            "--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--threads", "4",
            "--log-level", "warning", "--timeout", "120",
        ],
        cwd=REPO, env=env,
    )  # fmt: skip
    rows = []
    try:
        _wait_for(PORT)
        rows += _bench_submissions(rng)
        rows += _bench_feed(key)
        rows += _bench_export(key)
        rows += _bench_match(key, values, rng)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\n{'what':<52} {'figure':>16}")
    for what, figure in rows:
        print(f"{what:<52} {figure:>16}")
    print(
        "\ncommand: make bench BENCH=registry  (gunicorn 2 workers x 4 threads, PostgreSQL, "
        f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f})"
    )


def _bench_submissions(rng) -> list[tuple[str, str]]:
    def submit(worker: int) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        times = []
        for n in range(worker, SUBMISSIONS, SUBMIT_CLIENTS):
            md5 = hashlib.md5(f"bench-{n}-{worker}-{time.time()}".encode()).hexdigest()
            body = {
                "category": "adult",
                "items": [
                    {"media_type": "image", "photo_md5": md5, "pdq": [{"hash": p, "quality": 90}]}
                    for p in _random_pdq(np.random.default_rng(n), 1)
                ]
                + [{"media_type": "video", "video_md5": md5[::-1]}],
            }
            status, data, elapsed = _request(conn, "POST", "/api/v1/cases", body)
            if status != 201:
                raise RuntimeError(f"submission failed: {status} {data[:200]!r}")
            times.append(elapsed)
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(SUBMIT_CLIENTS) as pool:
        times = [t for chunk in pool.map(submit, range(SUBMIT_CLIENTS)) for t in chunk]
    wall = time.perf_counter() - started
    return [
        (f"submissions/s ({SUBMIT_CLIENTS} clients, 3 hashes each)", f"{SUBMISSIONS / wall:.0f}"),
        (
            "submission latency p50 / p95 (ms)",
            f"{_percentile(times, 0.5) * 1000:.1f} / {_percentile(times, 0.95) * 1000:.1f}",
        ),
    ]


def _bench_feed(key: str) -> list[tuple[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    after, pulled = 0, 0
    started = time.perf_counter()
    while pulled < FEED_EVENTS:
        _, data, _ = _request(conn, "GET", f"/api/v1/feed?after={after}&limit=1000", key=key)
        page = json.loads(data)
        pulled += len(page["events"])
        after = page["next"]
        if not page["has_more"]:
            break
    wall = time.perf_counter() - started
    return [("feed events/s pulled over HTTP (pages of 1,000)", f"{pulled / wall:,.0f}")]


def _bench_export(key: str) -> list[tuple[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    started = time.perf_counter()
    conn.request("GET", "/api/v1/export", headers={"Authorization": f"Bearer {key}"})
    response = conn.getresponse()
    lines = 0
    while chunk := response.read(1 << 20):
        lines += chunk.count(b"\n")
    wall = time.perf_counter() - started
    return [(f"export of {lines - 1:,} active hashes (s)", f"{wall:.1f}")]


def _bench_match(key: str, values: list[str], rng) -> list[tuple[str, str]]:
    import faiss

    from bench.matching import _setup_django

    _setup_django()
    from registry.matching import PdqIndex

    queries = [values[i] for i in rng.integers(0, len(values), MATCH_QUERIES // 2)]
    queries += _random_pdq(rng, MATCH_QUERIES - len(queries))
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    body = {"hashes": [{"signal_type": "pdq", "value": queries[0]}]}
    for _ in range(4):  # both workers load the index (and each answers once warm)
        _request(conn, "POST", "/api/v1/match", body, key=key)
        conn.close()
    http_times = []
    for query in queries:
        status, data, elapsed = _request(
            conn,
            "POST",
            "/api/v1/match",
            {"hashes": [{"signal_type": "pdq", "value": query}]},
            key=key,
        )
        if status != 200:
            raise RuntimeError(f"match failed: {status} {data[:200]!r}")
        http_times.append(elapsed)

    faiss.omp_set_num_threads(1)
    codes = np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, 32)
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    index = PdqIndex.from_pairs(enumerate(values, start=1))
    query_codes = np.frombuffer(bytes.fromhex("".join(queries)), dtype=np.uint8).reshape(-1, 32)
    faiss_times, ours = [], []
    for i, query in enumerate(queries):
        started = time.perf_counter()
        flat.range_search(query_codes[i : i + 1], 32)
        faiss_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.search(query)
        ours.append(time.perf_counter() - started)
    p50 = statistics.median
    return [
        (
            f"match over HTTP at {len(values):,} PDQ, p50 / p99 (ms)",
            f"{p50(http_times) * 1000:.2f} / {_percentile(http_times, 0.99) * 1000:.2f}",
        ),
        (
            "lookup alone: our index p50 / p99 (ms)",
            f"{p50(ours) * 1000:.2f} / {_percentile(ours, 0.99) * 1000:.2f}",
        ),
        (
            "lookup alone: FAISS IndexBinaryFlat p50 / p99 (ms)",
            f"{p50(faiss_times) * 1000:.2f} / {_percentile(faiss_times, 0.99) * 1000:.2f}",
        ),
        ("our lookup / FAISS (p50)", f"{p50(ours) / p50(faiss_times):.2f}x"),
    ]
