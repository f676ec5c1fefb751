"""A person walks the whole flow in real Chromium, in English and in Spanish: one question,
several photos and a video fingerprinted on the device, the review, the case number and code,
then the case page: status, more files, and withdrawing everything."""

import hashlib
import io
import json
import os
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from registry.models import Case, Signal

pytestmark = pytest.mark.browser

SAMPLE_VIDEO = (
    Path(__file__).resolve().parents[3]
    / "shared/testdata/pdq/threatexchange/tmk/sample-videos/doorknob-hd-no-bar.mp4"
)
HASHER_LANDED = (Path(__file__).resolve().parents[2] / "static/portal/hasher.js").exists()
SHOTS = os.environ.get("SCREENSHOTS")  # a folder to keep screenshots of each step in

WORDS = {
    "en": {
        "get_started": "Get Started",
        "continue": "Continue",
        "send": "Send the fingerprints",
        "case_open": "Your case is open",
        "show_case": "Show my case",
        "add": "Add these fingerprints to my case",
        "withdraw": "Withdraw my case",
        "withdraw_yes": "Yes, withdraw everything",
        "files_line": "4 files are protected in this case.",
        "more": "1 more file is now protected.",
        "withdrawn": "Your case is withdrawn.",
        "empty": "This file is empty",
        "case_number": "Case number",
        "access_code": "Access code",
    },
    "es": {
        "get_started": "Empezar",
        "continue": "Continuar",
        "send": "Enviar las huellas",
        "case_open": "Tu caso está abierto",
        "show_case": "Ver mi caso",
        "add": "Añadir estas huellas a mi caso",
        "withdraw": "Retirar mi caso",
        "withdraw_yes": "Sí, retirar todo",
        "files_line": "4 archivos están protegidos en este caso.",
        "more": "1 archivo más está protegido ahora.",
        "withdrawn": "Tu caso está retirado.",
        "empty": "Este archivo está vacío",
        "case_number": "Número de caso",
        "access_code": "Código de acceso",
    },
}


def make_photo(path: Path, seed: int, fmt: str = "JPEG") -> bytes:
    """A photo-like picture: a gradient with shapes, different for every seed."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((800, 600)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(700), rng.randrange(500)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + rng.randrange(40, 200), y + rng.randrange(40, 200)), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def choose_language(page, site, language):
    page.goto(f"{site}/")
    if language == "es":
        page.get_by_role("button", name="Español").click()
        page.wait_for_selector("html[lang=es]")


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_walks_the_whole_flow(site, page, tmp_path, language):
    words = WORDS[language]
    photos = {
        f"photo{i}.{ext}": (i, fmt)
        for i, (ext, fmt) in enumerate([("jpg", "JPEG"), ("png", "PNG"), ("jpg", "JPEG")])
    }
    contents = {
        name: make_photo(tmp_path / name, seed, fmt) for name, (seed, fmt) in photos.items()
    }
    (tmp_path / "empty.jpg").write_bytes(b"")
    video = SAMPLE_VIDEO.read_bytes()
    requests = []
    page.context.on("request", lambda request: requests.append(request))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    choose_language(page, site, language)
    shot(page, f"{language}-1-landing")
    page.get_by_role("link", name=words["get_started"]).first.click()
    page.locator("input[name=age][value=unsure]").check()
    shot(page, f"{language}-2-question")
    page.get_by_role("button", name=words["continue"]).click()

    page.set_input_files(
        "#files",
        [str(tmp_path / name) for name in contents]
        + [str(tmp_path / "empty.jpg"), str(SAMPLE_VIDEO)],
    )
    page.locator(".file-status", has_text=words["empty"]).wait_for()
    expect(page.locator("#to-review")).to_be_enabled(timeout=90_000)
    states = page.locator("#step-files .file").evaluate_all(
        "rows => rows.map(r => r.dataset.state)"
    )
    assert states == ["done", "done", "done", "error", "done"]
    shot(page, f"{language}-3-files")
    page.locator("#to-review").click()

    payload = json.loads(page.locator("#payload").text_content())
    assert payload["category"] == "minor"  # "not sure" counts as under 18
    assert [item["media_type"] for item in payload["items"]] == ["image"] * 3 + ["video"]
    assert page.locator("#review-list li.problem").count() == 1
    page.locator(".payload summary").click()
    shot(page, f"{language}-4-review")
    page.get_by_role("button", name=words["send"]).click()

    page.get_by_role("heading", name=words["case_open"]).wait_for()
    number = page.locator("#case-number").text_content()
    code = page.locator("#access-code").text_content()
    shot(page, f"{language}-5-confirmation")
    case = Case.objects.get(number=number)
    assert case.category == "minor"
    stored_md5 = set(
        case.signals.filter(signal_type__in=["photo_md5", "video_md5"]).values_list(
            "value", flat=True
        )
    )
    assert stored_md5 == {md5(data) for data in contents.values()} | {md5(video)}
    if HASHER_LANDED:
        assert case.signals.filter(signal_type="pdq").count() >= 3
        assert case.signals.filter(signal_type="vpdq").count() == 1

    page.get_by_role("button", name="Copy" if language == "en" else "Copiar").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert number in copied and code in copied
    with page.expect_download() as download:
        page.locator("#download").click()
    saved = Path(download.value.path()).read_text()
    assert (
        f"{words['case_number']}: {number}" in saved and f"{words['access_code']}: {code}" in saved
    )

    # The case page, in a fresh start: the number and code typed in, as someone coming back would.
    page.goto(f"{site}/case/")
    page.get_by_label(words["case_number"]).fill(number)
    page.get_by_label(words["access_code"]).fill(code)
    page.get_by_role("button", name=words["show_case"]).click()
    page.get_by_text(words["files_line"]).wait_for()
    shot(page, f"{language}-6-case")

    extra = make_photo(tmp_path / "more.jpg", 99)
    page.set_input_files("#more-files", str(tmp_path / "more.jpg"))
    add = page.get_by_role("button", name=words["add"])
    expect(add).to_be_enabled(timeout=90_000)
    add.click()
    page.get_by_text(words["more"]).wait_for()
    assert case.signals.filter(signal_type="photo_md5", value=md5(extra)).exists()

    page.get_by_role("button", name=words["withdraw"]).click()
    page.get_by_role("button", name=words["withdraw_yes"]).click()
    page.get_by_text(words["withdrawn"]).wait_for()
    shot(page, f"{language}-7-withdrawn")
    case.refresh_from_db()
    assert case.status == "withdrawn"
    assert not case.signals.exclude(status=Signal.Status.WITHDRAWN).exists()

    # The number and code went only in POST bodies, to our own origin.
    network = [
        request.url for request in requests if not request.url.startswith(("blob:", "data:"))
    ]
    assert all(url.startswith(f"{site}/") for url in network), network
    assert not any(number in request.url or code in request.url for request in requests)
