"""The production files say what the runbook promises, and the tools that run here accept them:
the Compose specification's schema, nginx's own check, and systemd-analyze. (This machine has no
container engine, so the image itself is not built here.)"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_the_compose_file_follows_the_compose_specification():
    checker = Path(sys.executable).with_name("check-jsonschema")

    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", DEPLOY / "compose.yaml"],
        capture_output=True, text=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_file_runs_every_process_and_keeps_the_queue():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]

    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}
    assert "noeviction" in services["redis"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["environment"]["DJANGO_ENV"] == "production"
        assert services[name]["environment"]["SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]  # nginx in front, never public


def test_the_image_builds_assets_and_runs_as_a_user():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", dockerfile, re.MULTILINE)

    assert [name for _, name in stages] == ["npm", "build", ""]
    assert "npm ci" in dockerfile and "scripts/build-assets.sh" in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic" in dockerfile and "compilemessages" in dockerfile
    assert re.search(r"^USER takedown$", dockerfile, re.MULTILINE)
    assert re.search(
        r'^CMD \["gunicorn", "-c", "deploy/gunicorn.conf.py"', dockerfile, re.MULTILINE
    )
    for line in dockerfile.splitlines():  # no secret is baked into the image
        assert not re.match(r"^(ENV|ARG) .*SECRET_KEY=", line)


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
         "-keyout", tmp_path / "privkey.pem", "-out", tmp_path / "fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "takedown.conf").read_text()
    site = site.replace("/etc/ssl/takedown", str(tmp_path)).replace("/var/log/nginx", str(tmp_path))
    (tmp_path / "takedown.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/takedown.conf;\n}}\n"
    )

    result = subprocess.run(
        [nginx, "-t", "-p", tmp_path, "-c", tmp_path / "nginx.conf"], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_systemd_accepts_the_units(tmp_path):
    for unit in (DEPLOY / "systemd").glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/takedown", str(ROOT)))

    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(tmp_path.glob("*.service"))],
        capture_output=True, text=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
