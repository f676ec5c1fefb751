"""Every page and static file carries the strict policy that keeps the page talking only to us."""

import pytest
from django.conf import settings

EXPECTED_CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
    "worker-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; font-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PYODIDE = f"/static/pyodide/{settings.PYODIDE_VERSION}"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/get-started/",
        "/admin/login/",
        "/static/portal/hash-worker.js",
        f"{PYODIDE}/pyodide.asm.wasm",
        f"{PYODIDE}/pyodide-lock.json",
    ],
)
@pytest.mark.django_db
def test_it_sends_the_security_headers(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    # Staff pages send referrers to our own origin only, so their forms pass the CSRF check.
    expected = "same-origin" if url.startswith("/admin/") else "no-referrer"
    assert response["Referrer-Policy"] == expected
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_serves_webassembly_with_its_media_type(client):
    response = client.get(f"{PYODIDE}/pyodide.asm.wasm")

    assert response["Content-Type"] == "application/wasm"


def test_it_caches_pyodide_for_good_but_not_our_wheel(client):
    runtime = client.get(f"{PYODIDE}/python_stdlib.zip")
    lock = client.get(f"{PYODIDE}/pyodide-lock.json")

    assert "immutable" in runtime["Cache-Control"]
    assert "immutable" not in lock.get("Cache-Control", "")


def test_it_lists_our_wheel_in_pyodides_lock_file_with_its_sha256(client):
    import hashlib
    import json

    lock = json.loads(b"".join(client.get(f"{PYODIDE}/pyodide-lock.json").streaming_content))
    entry = lock["packages"]["hashing-wasm"]
    wheel = b"".join(client.get(f"{PYODIDE}/{entry['file_name']}").streaming_content)

    assert entry["imports"] == ["hashing_wasm"]
    assert hashlib.sha256(wheel).hexdigest() == entry["sha256"]
