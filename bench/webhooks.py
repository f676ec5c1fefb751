"""Webhook delivery with a real Celery worker and beat, on PostgreSQL and Redis, without faults.

`run()` creates a throwaway database beside the one DATABASE_URL names and, in a child process
set up against it (so other sections' Django setup does not matter), starts a receiver on
127.0.0.1 that verifies every delivery with `standardwebhooks`, then `celery worker
--concurrency=2` and `celery beat` (the sweeper every 2 s, as configured), and measures:
- delivery latency: a submission committed -> the receiver answering 2xx for the batch holding
  its event, p50 and p95, over submissions spread in time (one partner);
- throughput: events per second delivered to 3 partners at once, each catching up on the feed.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fresh_database

REPO = Path(__file__).resolve().parents[1]
DB_NAME = "takedown_bench_webhooks"
LATENCY_SUBMISSIONS = 60
LATENCY_GAP = 0.25
THROUGHPUT_CASES = 200  # of 50 hashes each: 10,000 feed events per partner
THROUGHPUT_PARTNERS = 3
WORKER_CONCURRENCY = 2


def run() -> None:
    """Measure in a child process against a fresh database, and print its table."""
    url = fresh_database(DB_NAME)
    env = {**os.environ, "DATABASE_URL": url, "WEBHOOK_ALLOW_LOOPBACK": "1", "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=REPO, env=env, check=True
    )
    subprocess.run([sys.executable, "-m", "bench.webhooks"], cwd=REPO, env=env, check=True)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _measure() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    sys.path.insert(0, str(REPO / "tests" / "registry"))
    from django.db.models import Max
    from webhook_receiver import Receiver

    from registry import actions, webhook_actions
    from registry.actions import HashInput
    from registry.models import FeedEvent, WebhookEndpoint

    def md5(text: str) -> str:
        import hashlib

        return hashlib.md5(text.encode()).hexdigest()

    celery = Path(sys.executable).with_name("celery")
    with Receiver() as receiver, tempfile.TemporaryDirectory() as tmp:
        processes = [
            subprocess.Popen(
                [celery, "-A", "portal", "worker", f"--concurrency={WORKER_CONCURRENCY}",
                 "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [celery, "-A", "portal", "beat", "--loglevel=WARNING", "-s", f"{tmp}/beat"],
                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ),
        ]  # fmt: skip
        try:
            partner, _ = actions.create_partner("Latency", ["feed:read"])
            _, secret = webhook_actions.set_webhook(partner, receiver.url("/latency"))
            receiver.secrets["/latency"] = [secret]
            # Warm up: the first delivery waits for the worker to start.
            actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("warm-up"))])
            while not receiver.accepted("/latency"):
                time.sleep(0.2)

            committed: dict[int, float] = {}
            for n in range(LATENCY_SUBMISSIONS):
                case = actions.submit_case(
                    "adult", [HashInput(0, "image", "photo_md5", md5(f"latency {n}"))]
                ).case
                at = time.monotonic()
                committed[FeedEvent.objects.get(signal__case=case).seq] = at
                time.sleep(LATENCY_GAP)
            deadline = time.monotonic() + 60
            arrived: dict[int, float] = {}
            while len(arrived) < len(committed) and time.monotonic() < deadline:
                for delivery in receiver.accepted("/latency"):
                    for event in delivery.events:
                        arrived.setdefault(event["seq"], delivery.received_at)
                time.sleep(0.2)
            latencies = [(arrived[s] - t) * 1000 for s, t in committed.items() if s in arrived]

            for n in range(THROUGHPUT_CASES):
                items = [
                    HashInput(i, "image", "photo_md5", md5(f"bulk {n} {i}")) for i in range(50)
                ]
                actions.submit_case("adult", items)
            end = FeedEvent.objects.aggregate(seq=Max("seq"))["seq"]
            started = time.monotonic()
            endpoints = []
            for i in range(THROUGHPUT_PARTNERS):
                partner, _ = actions.create_partner(f"Bulk {i}", ["feed:read"])
                endpoint, secret = webhook_actions.set_webhook(partner, receiver.url(f"/bulk-{i}"))
                receiver.secrets[f"/bulk-{i}"] = [secret]
                endpoints.append(endpoint.pk)
            bulk = WebhookEndpoint.objects.filter(pk__in=endpoints)
            deadline = time.monotonic() + 90
            while bulk.filter(delivered_seq__lt=end).exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            elapsed = time.monotonic() - started
            caught_up = not bulk.filter(delivered_seq__lt=end).exists()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)

        events = FeedEvent.objects.filter(seq__lte=end).count()
        verified = all(d.verified for d in receiver.deliveries)
    rows = [
        ("latency p50 (commit -> receiver 2xx)", f"{statistics.median(latencies):.0f} ms"),
        ("latency p95", f"{_percentile(latencies, 0.95):.0f} ms"),
        ("latency samples", f"{len(latencies)}/{len(committed)}"),
        (
            f"throughput, {THROUGHPUT_PARTNERS} partners at once",
            f"{THROUGHPUT_PARTNERS * events / elapsed:,.0f} events/s"
            + ("" if caught_up else " (NOT caught up in 90 s)"),
        ),
        ("events per partner / time", f"{events:,} / {elapsed:.1f} s"),
        ("every delivery verified (standardwebhooks)", "yes" if verified else "NO"),
    ]
    width = max(len(name) for name, _ in rows)
    print(
        "command: make bench BENCH=webhooks  (scripts/with-services.sh .venv/bin/python -m bench webhooks)"
    )
    print(
        f"worker: prefork --concurrency={WORKER_CONCURRENCY}; beat sweeps every 2 s; batches of 100"
    )
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    _measure()
