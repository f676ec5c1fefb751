"""Nothing is lost under faults: while people submit and withdraw, a real Celery worker delivering
to three partners is SIGKILLed mid-delivery 20 times, the broker's Redis is flushed, then stopped
and started again (submissions go on meanwhile), and the partners' endpoint answers 500, times
out and resets connections for a while. Afterwards
every partner holds every event (duplicates allowed and counted), withdrawals arrived as remove
events, and every delivery verified with `standardwebhooks` (reliability.md R12, R13, R15, R25).

The retry schedule, timeout and lease are shrunk through the worker's environment so the run
converges in seconds; a real beat runs the sweeper every second.
"""

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.db.models import Max
from webhook_receiver import Receiver

from registry import actions, webhook_actions
from registry.actions import HashInput
from registry.models import FeedEvent, Signal, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
PARTNERS = 3
SUBMISSIONS = 400
WITHDRAW_EVERY = 6
MID_DELIVERY_KILLS = 20
CONVERGE_SECONDS = 90
FAST_RETRIES = {
    "WEBHOOK_ALLOW_LOOPBACK": "1",
    "WEBHOOK_RETRY_DELAYS": "1,1,1,1,2,2,2,2,2",
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "WEBHOOK_LEASE_SECONDS": "4",
    "WEBHOOK_SWEEP_SECONDS": "1",
}


def database_url() -> str:
    """The test database (pytest-django's), for the worker subprocess."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class BrokerRedis:
    """A private redis-server for the broker, so the test can flush, stop and restart it."""

    def __init__(self, folder: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.folder],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            with contextlib.suppress(redis.RedisError):
                client.ping()
                return
            time.sleep(0.05)
        raise AssertionError("the broker's redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Worker:
    """`celery -A portal worker` in its own process group, so a kill takes its children too."""

    def __init__(self, log_dir: str, broker_url: str):
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "VAR_DIR": log_dir,
            **FAST_RETRIES,
        }
        self.log_path = Path(log_dir) / "worker.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                CELERY, "-A", "portal", "worker", "--pool=prefork", "--concurrency=2",
                "--loglevel=WARNING", "--without-gossip", "--without-mingle",
                "-n", f"webhooks-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def submit_and_withdraw(done: threading.Event, withdrawn: list[int]) -> None:
    try:
        for n in range(SUBMISSIONS):
            value = hashlib.md5(f"fault run {uuid.uuid4()} {n}".encode()).hexdigest()
            created = actions.submit_case("adult", [HashInput(0, "image", "photo_md5", value)])
            if n % WITHDRAW_EVERY == 0:
                actions.withdraw_case(created.case)
                withdrawn.extend(created.case.signals.values_list("id", flat=True))
            time.sleep(0.08)
    finally:
        connection.close()
        done.set()


def caught_up() -> bool:
    end = FeedEvent.objects.aggregate(seq=Max("seq"))["seq"] or 0
    return not WebhookEndpoint.objects.filter(delivered_seq__lt=end).exists()


def test_every_partner_gets_every_event_through_kills_flushes_and_failures(make_partner, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_LEASE_SECONDS = 4
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    with Receiver() as receiver, tempfile.TemporaryDirectory() as log_dir:
        broker = BrokerRedis(log_dir)
        broker.start()
        paths = [f"/partner-{i}" for i in range(PARTNERS)]
        for path in paths:
            partner, _ = make_partner(path.strip("/"))
            _, secret = webhook_actions.set_webhook(partner, receiver.url(path))
            receiver.secrets[path] = [secret]
        worker = Worker(log_dir, broker.url)
        done = threading.Event()
        withdrawn: list[int] = []
        submitter = threading.Thread(target=submit_and_withdraw, args=(done, withdrawn))
        beat = subprocess.Popen(
            [CELERY, "-A", "portal", "beat", "--loglevel=WARNING"],
            cwd=REPO, env=worker.env, stdout=(Path(log_dir) / "beat.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        kills = 0
        try:
            worker.start()
            submitter.start()

            # Kill the worker while the receiver holds one of its requests, then restart it.
            receiver.hold_seconds = 1.0
            for _ in range(MID_DELIVERY_KILLS):
                receiver.held.clear()
                receiver.mode = "hold"
                if receiver.held.wait(timeout=15):
                    worker.kill()
                    kills += 1
                receiver.mode = "ok"
                worker.start()
                time.sleep(1.0)
                if kills == 5:  # queued and unacknowledged tasks gone
                    redis.Redis.from_url(broker.url).flushall()
                if kills == 10:  # Redis down for a while; people keep submitting meanwhile
                    broker.stop()
                    time.sleep(3)
                    broker.start()

            for mode, seconds in [("fail", 3), ("slow", 5), ("reset", 3), ("ok", 0)]:
                receiver.mode = mode
                time.sleep(seconds)

            submitter.join(timeout=60)
            deadline = time.monotonic() + CONVERGE_SECONDS
            while time.monotonic() < deadline and not (done.is_set() and caught_up()):
                time.sleep(0.5)
        finally:
            beat.terminate()
            beat.wait(timeout=10)
            worker.kill()
            broker.stop()
        log = worker.log_path.read_text()[-3000:]

        assert done.is_set(), "the submissions did not finish"
        assert kills == MID_DELIVERY_KILLS, log
        assert caught_up(), f"not caught up after {CONVERGE_SECONDS} s\n{log}"
        feed = {e.seq: (e.action, e.signal_id) for e in FeedEvent.objects.order_by("seq")}
        assert len(feed) == SUBMISSIONS + len(withdrawn)
        active = set(Signal.objects.filter(status="active").values_list("id", flat=True))
        assert all(d.verified for d in receiver.deliveries), "a delivery failed verification"
        for path in paths:
            got = [e for d in receiver.accepted(path) for e in d.events]
            seqs = [e["seq"] for e in got]
            duplicates = len(seqs) - len(set(seqs))
            missing = set(feed) - set(seqs)
            print(f"{path}: {len(set(seqs))} events, {duplicates} duplicates, {len(missing)} lost")
            assert missing == set()
            for event in got:
                assert (event["action"], event["hash"]["id"]) == feed[event["seq"]]
            removed = {e["hash"]["id"] for e in got if e["action"] == "remove"}
            assert removed == set(withdrawn)
            held = {}
            for event in sorted(got, key=lambda e: e["seq"]):
                held[event["hash"]["id"]] = event["action"]
            assert {i for i, action in held.items() if action == "add"} == active
