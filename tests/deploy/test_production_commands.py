"""The systemd units' commands start the site for real on this machine (gunicorn, Celery worker
and beat, production settings, the local PostgreSQL and Redis), and after a run with marker
values, no log line of any of them holds an address, user agent, query string, hash value,
access code or API key (reliability.md R22)."""

import configparser
import http.client
import json
import os
import secrets
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from registry import actions

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
PORT = 8791


def unit_command(name: str) -> list[str]:
    """The unit's ExecStart, with the install folder being this checkout."""
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(UNITS / name)
    command = unit["Service"]["ExecStart"].replace("/opt/takedown", str(ROOT))
    return shlex.split(command)


def unit_environment(tmp_path: Path) -> dict[str, str]:
    """env.example, pointed at the test database, this machine's Redis and a scratch folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for line in (UNITS / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    secret = tmp_path / "secret_key"
    secret.write_text(secrets.token_urlsafe(50))
    token = tmp_path / "metrics_token"
    token.write_text("metrics-" + secrets.token_hex(8))
    db = connection.settings_dict
    env.update(
        SECRET_KEY_FILE=str(secret),
        METRICS_TOKEN_FILE=str(token),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=os.environ["REDIS_URL"],
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        VAR_DIR=str(tmp_path / "var"),
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        LOG_LEVEL="DEBUG",
    )
    return env


def call(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    sent = {"X-Forwarded-Proto": "https", "Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, json.dumps(body) if body is not None else None, sent)
    response = conn.getresponse()
    return response.status, response.read()


def wait_until_ready():
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            return call("GET", "/readyz")
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer within 30 s")


@pytest.mark.django_db(transaction=True)
def test_the_units_start_the_site_and_log_nothing_personal(tmp_path):
    env = unit_environment(tmp_path)
    (tmp_path / "var").mkdir()
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "beat")}
    _, key = actions.create_partner("Log Test", ["feed:read"])
    processes = [
        subprocess.Popen(
            unit_command(f"takedown-{name}.service"),
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, log in logs.items()
    ]
    markers = {
        "address": "203.0.113.57",
        "agent": "MarkerBrowser/9.9-" + secrets.token_hex(4),
        "query": "q" + secrets.token_hex(6),
        "md5": secrets.token_hex(16),
    }
    personal = {
        "X-Forwarded-For": markers["address"],
        "User-Agent": markers["agent"],
        "Referer": "https://example.org/" + markers["query"],
    }
    try:
        status, body = wait_until_ready()
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
        item = {"media_type": "image", "photo_md5": markers["md5"]}
        status, body = call(
            "POST", "/api/v1/cases", {"category": "adult", "items": [item]}, personal
        )
        assert status == 201, body
        created = json.loads(body)
        access = {"case_number": created["case_number"], "access_code": created["access_code"]}
        assert call("POST", "/api/v1/cases/status", access, personal)[0] == 200
        assert (
            call("POST", "/api/v1/cases/status", {**access, "access_code": "Z" * 26}, personal)[0]
            == 404
        )
        feed = call("GET", f"/api/v1/feed?after=0&marker={markers['query']}", None,
                    {**personal, "Authorization": f"Bearer {key}"})  # fmt: skip
        assert markers["md5"] in feed[1].decode()
        assert call("GET", f"/nowhere?{markers['query']}=1", None, personal)[0] == 404
        time.sleep(6)  # beat fires the delivery sweeper; the worker runs it and logs it
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    text = {name: log.read_text() for name, log in logs.items()}
    assert "/api/v1/cases" in text["web"]  # access lines were written
    assert "ready" in text["worker"]
    assert "beat: Starting" in text["beat"]
    for name, content in text.items():
        assert "Traceback" not in content, f"the {name} process failed:\n{content[-3000:]}"
    secrets_seen = [markers["address"], markers["agent"], markers["query"], markers["md5"],
                    created["access_code"], created["access_code"].replace("-", ""), key]  # fmt: skip
    for name, content in text.items():
        for secret in secrets_seen:
            assert secret not in content, f"{secret!r} found in the {name} log"
    json_lines = [line for line in text["web"].splitlines() if line.startswith("{")]
    assert json_lines and all(json.loads(line)["level"] for line in json_lines)
