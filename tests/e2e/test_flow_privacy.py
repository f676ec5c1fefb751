"""What leaves the device: only fingerprints, only to our own origin, a few kilobytes at most;
and a file that cannot be used is named in the page and left out while the others go on."""

import io
import json
import secrets

import pytest
from PIL import Image
from playwright.sync_api import expect

from registry.models import Case

pytestmark = pytest.mark.browser


def make_marked_photo(path, marker: bytes, min_bytes: int = 5 * 1024 * 1024) -> bytes:
    """A noisy JPEG of at least 5 MB carrying a random marker in a comment segment."""
    side = 1500
    while True:
        image = Image.frombytes("RGB", (side, side), secrets.token_bytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=95, comment=marker)
        if buffer.tell() >= min_bytes:
            path.write_bytes(buffer.getvalue())
            return buffer.getvalue()
        side += 200


def test_it_sends_only_fingerprints_and_leaves_bad_files_out(site, page, tmp_path):
    marker = secrets.token_hex(16).encode()
    photo = tmp_path / f"{marker.decode()}.jpg"  # the name carries the marker too: names stay here
    data = make_marked_photo(photo, marker)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + secrets.token_bytes(2000))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as sparse:  # 2 GB without using the disk
        sparse.truncate(2 * 1024**3)
    text = tmp_path / "notes.jpg"
    text.write_text("this is a text file renamed to look like a photo\n" * 20)
    requests = []
    page.context.on("request", lambda request: requests.append(request))

    page.goto(f"{site}/get-started/")
    page.locator("input[name=age][value=no]").check()
    page.locator("#questions-continue").click()
    page.set_input_files("#files", [str(p) for p in (photo, corrupt, empty, huge, text)])
    expect(page.locator("#to-review")).to_be_enabled(timeout=90_000)

    rows = page.locator("#step-files .file")
    expect(rows.nth(4)).to_have_attribute("data-state", "error")
    states = rows.evaluate_all("rows => rows.map(r => [r.dataset.state, r.dataset.note])")
    assert states[0] == ["done", ""]
    assert states[2] == ["error", "empty"]
    assert states[3] == ["error", "too_large"]
    assert states[4] == ["error", "not_media"]
    # A corrupt JPEG is either refused or, when only its bytes can be read, kept for exact copies.
    assert states[1] in (["error", "unreadable"], ["done", "cannot_decode"], ["error", "not_media"])
    assert "bigger than the limit of 1 GB" in rows.nth(3).inner_text()
    assert "does not look like a photo or a video" in rows.nth(4).inner_text()
    for row in range(2, 5):
        assert "Nothing will be sent for it" in rows.nth(row).inner_text()

    page.locator("#to-review").click()
    sent = json.loads(page.locator("#payload").text_content())
    assert len(sent["items"]) == (2 if states[1][0] == "done" else 1)
    page.locator("#send").click()
    page.locator("#case-number").wait_for()
    case = Case.objects.get(number=page.locator("#case-number").text_content())
    assert case.category == "adult"

    bodies = [request.post_data_buffer or b"" for request in requests]
    network = [r.url for r in requests if not r.url.startswith(("blob:", "data:"))]
    assert all(url.startswith(f"{site}/") for url in network), network
    assert not any(marker in body or data[1000:1064] in body for body in bodies)
    assert not any(marker.decode() in url for url in network)
    assert sum(len(body) for body in bodies) < 8 * 1024
    assert [r.method for r in requests if r.method != "GET"] == ["POST"]
