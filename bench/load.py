"""Load test: submissions, feed pulls and matches at the same time against the production stack
on this machine, with webhook delivery to a partner measured end to end.

`run()` migrates a throwaway database, starts gunicorn, a Celery worker and beat exactly as the
systemd units do (production settings, except that loopback webhooks are allowed for the local
receiver), starts a webhook receiver on 127.0.0.1, and drives the site with locust for
LOAD_SECONDS (300 by default) at LOAD_USERS users. It reports the error rate, submission latency
p50/p95, and the delay from a submission's answer to the partner receiving its hash (p50/p95).
Everything talks to 127.0.0.1 only, and every loop is bounded in time.
"""

import http.server
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import gevent  # noqa: F401 (locust needs gevent imported before anything else patches)
from locust import HttpUser, between, events, task
from locust.env import Environment

from bench.common import fresh_database

REPO = Path(__file__).resolve().parents[1]
PORT = 8797
RECEIVER_PORT = 8798
SECONDS = int(os.environ.get("LOAD_SECONDS", "300"))
USERS = int(os.environ.get("LOAD_USERS", "30"))
DRAIN_SECONDS = 90

submitted: dict[str, float] = {}  # md5 -> when the registry answered 201
delivered: dict[str, float] = {}  # md5 -> when the partner's receiver got it
_lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    """The partner's webhook endpoint: notes when each hash arrives."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = time.time()
        with _lock:
            for event in body["data"]["events"]:
                value = event["hash"]["value"]
                if event["action"] == "add" and value not in delivered:
                    delivered[value] = now
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _unit(name: str) -> list[str]:
    for line in (REPO / "deploy" / "systemd" / name).read_text().splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line.removeprefix("ExecStart=").replace("/opt/takedown", str(REPO)))
    raise RuntimeError(f"no ExecStart in {name}")


class Submitter(HttpUser):
    weight = 3
    wait_time = between(0.2, 0.6)

    @task
    def submit(self):
        md5 = secrets.token_hex(16)
        body = {"category": "adult", "items": [{"media_type": "image", "photo_md5": md5}]}
        with self.client.post("/api/v1/cases", json=body, headers=_https, catch_response=True) as r:
            if r.status_code == 201:
                with _lock:
                    submitted[md5] = time.time()
                r.success()
            else:
                r.failure(f"{r.status_code}")


class FeedReader(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.0)
    after = 0

    @task
    def pull(self):
        headers = {**_https, "Authorization": f"Bearer {_keys['feed']}"}
        r = self.client.get(
            f"/api/v1/feed?after={self.after}&limit=500", headers=headers, name="/api/v1/feed"
        )
        if r.status_code == 200:
            self.after = r.json()["next"]


class Matcher(HttpUser):
    weight = 1
    wait_time = between(0.2, 0.6)

    @task
    def match(self):
        headers = {**_https, "Authorization": f"Bearer {_keys['match']}"}
        query = [{"signal_type": "photo_md5", "value": secrets.token_hex(16)}]
        self.client.post("/api/v1/match", json={"hashes": query}, headers=headers)


_https = {"X-Forwarded-Proto": "https"}
_keys: dict[str, str] = {}


def _percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def run() -> None:
    url = fresh_database("takedown_load")
    scratch = Path(tempfile.mkdtemp(prefix="takedown-load-"))
    (scratch / "var").mkdir()
    (scratch / "secret").write_text(secrets.token_urlsafe(50))
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY_FILE": str(scratch / "secret"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "VAR_DIR": str(scratch / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "RATE_LIMIT_SUBMIT_PER_HOUR": "10000000",
        "RATE_LIMIT_KEY_PREFIX": f"load:{secrets.token_hex(4)}",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=REPO, env=env, check=True)

    def partner(name: str, *scopes: str) -> str:
        args = [*manage, "create_partner", name, *[f"--scope={s}" for s in scopes]]
        out = subprocess.run(args, cwd=REPO, env=env, check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    _keys["feed"] = partner("Feed reader", "feed:read")
    _keys["match"] = partner("Matcher", "match")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", RECEIVER_PORT), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    # The pushing partner's webhook: allowed to be on loopback in this run only.
    setup = (
        "from registry import actions, webhook_actions;"
        "p, _ = actions.create_partner('Pushed', ['feed:read']);"
        f"webhook_actions.set_webhook(p, 'http://127.0.0.1:{RECEIVER_PORT}/hook')"
    )
    webhook_env = {**env, "DJANGO_ENV": "development", "DEBUG": "0", "WEBHOOK_ALLOW_LOOPBACK": "1"}
    subprocess.run([*manage, "shell", "-c", setup], cwd=REPO, env=webhook_env, check=True)

    logs = scratch / "logs"
    logs.mkdir()
    processes = [
        subprocess.Popen(_unit("takedown-web.service"), cwd=REPO,
                         env={**env, "PROMETHEUS_MULTIPROC_DIR": str(scratch / "prometheus")},
                         stdout=(logs / "web.log").open("w"), stderr=subprocess.STDOUT),
        subprocess.Popen(_unit("takedown-worker.service"), cwd=REPO, env=webhook_env,
                         stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT),
        subprocess.Popen(_unit("takedown-beat.service"), cwd=REPO, env=webhook_env,
                         stdout=(logs / "beat.log").open("w"), stderr=subprocess.STDOUT),
    ]  # fmt: skip
    try:
        time.sleep(6)
        environment = Environment(user_classes=[Submitter, FeedReader, Matcher], events=events,
                                  host=f"http://127.0.0.1:{PORT}")  # fmt: skip
        runner = environment.create_local_runner()
        print(f"load: {USERS} users for {SECONDS} s ...", flush=True)
        runner.start(USERS, spawn_rate=USERS)
        time.sleep(SECONDS)
        runner.quit()
        deadline = time.time() + DRAIN_SECONDS
        while time.time() < deadline and len(delivered) < len(submitted):
            time.sleep(1)
        stats = environment.stats
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        receiver.shutdown()

    total = stats.total
    submit = stats.get("/api/v1/cases", "POST")
    latencies = [delivered[m] - submitted[m] for m in submitted if m in delivered]
    missing = len(submitted) - len(latencies)
    rows = [
        ("requests", f"{total.num_requests:,}"),
        ("error rate", f"{total.fail_ratio * 100:.3f} %  (goal < 0.1 %)"),
        ("submissions", f"{submit.num_requests:,}  ({submit.num_requests / SECONDS:.1f}/s)"),
        ("submission latency p50 / p95", f"{submit.get_response_time_percentile(0.5):.0f} / "
                                         f"{submit.get_response_time_percentile(0.95):.0f} ms  (goal p95 < 300 ms)"),
        ("feed pulls p95", f"{stats.get('/api/v1/feed', 'GET').get_response_time_percentile(0.95):.0f} ms"),
        ("matches p95", f"{stats.get('/api/v1/match', 'POST').get_response_time_percentile(0.95):.0f} ms"),
        ("submission to partner delivery p50 / p95", f"{statistics.median(latencies) if latencies else float('nan'):.1f} / "
                                                     f"{_percentile(latencies, 0.95):.1f} s  (goal p95 < 60 s)"),
        ("submissions never delivered", f"{missing}"),
    ]  # fmt: skip
    print()
    for what, figure in rows:
        print(f"{what:<44} {figure}")
    print(f"\ncommand: LOAD_SECONDS={SECONDS} LOAD_USERS={USERS} make bench BENCH=load  "
          f"(logs in {logs})")  # fmt: skip
