"""A person hashes a photo in the browser and submits only its hash."""

import hashlib
import io
import secrets

import pytest
from PIL import Image

from registry.models import Case, Signal

pytestmark = pytest.mark.browser


def make_photo(path, marker: bytes) -> bytes:
    """A noisy JPEG carrying a random marker in a comment segment, so any upload of it shows."""
    image = Image.frombytes("RGB", (640, 480), secrets.token_bytes(640 * 480 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, comment=marker)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_it_hashes_a_photo_in_the_browser_and_sends_only_the_hash(site, page, tmp_path):
    marker = secrets.token_hex(16).encode()
    photo = tmp_path / "photo.jpg"
    data = make_photo(photo, marker)
    requests = []
    page.context.on("request", lambda request: requests.append(request))

    page.goto(f"{site}/get-started/")
    page.get_by_text("Ready.").wait_for(timeout=60_000)
    page.set_input_files("#files", str(photo))
    page.get_by_text("Fingerprint ready.").wait_for()
    page.get_by_role("button", name="Submit the fingerprints").click()
    page.locator("#confirmation").wait_for(state="visible")

    expected_md5 = hashlib.md5(data).hexdigest()
    assert page.locator("#results .md5").inner_text() == expected_md5
    case = Case.objects.get(number=page.locator("#case-number").inner_text())
    assert list(case.signals.values_list("signal_type", "value")) == [("photo_md5", expected_md5)]
    assert Signal.objects.count() == 1

    assert all(r.url.startswith(site) for r in requests)
    bodies = [r.post_data_buffer or b"" for r in requests]
    assert not any(marker in body or data[:64] in body for body in bodies)
    assert sum(len(body) for body in bodies) < 8 * 1024
    assert any(r.url.endswith("/hashing_wasm-0.1.0-py3-none-any.whl") for r in requests)


def test_it_says_so_when_a_file_is_empty(site, page, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")

    page.goto(f"{site}/get-started/")
    page.get_by_text("Ready.").wait_for(timeout=60_000)
    page.set_input_files("#files", str(empty))

    page.get_by_text("This file is empty").wait_for()
    assert page.get_by_role("button", name="Submit the fingerprints").is_disabled()
