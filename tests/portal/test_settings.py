"""Production settings refuse to start without a secret and pass Django's deployment check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set in production" in result.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 20 + "Q7-x" * 10 + "\n")

    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", ALLOWED_HOSTS="example.org", SECRET_KEY_FILE=str(secret),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr


def test_it_refuses_a_malformed_boolean():
    result = manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_reads_connection_urls_with_passwords_from_files(tmp_path):
    url = tmp_path / "database_url"
    url.write_text("postgres://registry:s3cret@db.internal:5432/registry\n")

    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; d = settings.DATABASES['default'];"
         "print(d['HOST'], d['NAME'], d['PASSWORD'] == 's3cret')"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL_FILE": str(url)},
    )  # fmt: skip

    assert result.stdout.split() == ["db.internal", "registry", "True"], result.stderr
