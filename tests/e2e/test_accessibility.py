"""axe-core finds nothing to fix on any page or step of the flow, in English and in Spanish."""

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from registry import actions

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"


@pytest.fixture(scope="module")
def axe_source():
    return AXE.read_text()


def check(page, axe_source, where):
    """Runs axe in the page. page.evaluate is not subject to the page's CSP, unlike a script tag
    (which add_script_tag would add inline, and the policy would block)."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    assert len(result["passes"]) > 10, "axe did not run"
    problems = [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]]) for v in result["violations"]
    ]
    assert problems == [], where


def photo(path):
    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    ImageDraw.Draw(image).ellipse((100, 100, 300, 260), fill=(200, 40, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_of_the_flow_passes_axe(site, page, tmp_path, axe_source, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    photo(tmp_path / "photo.jpg")
    for path in ("/", "/help/"):
        page.goto(f"{site}{path}")
        check(page, axe_source, path)

    page.goto(f"{site}/get-started/")
    check(page, axe_source, "question")
    page.locator("#questions-continue").click()  # no answer yet: the error is shown
    check(page, axe_source, "question with its error")
    page.locator("input[name=age][value=yes]").check()
    page.locator("#questions-continue").click()
    page.set_input_files("#files", [str(tmp_path / "photo.jpg")])
    expect(page.locator("#to-review")).to_be_enabled(timeout=90_000)
    page.locator("[data-action=preview]").click()
    check(page, axe_source, "files, with a preview")
    page.locator("#to-review").click()
    page.locator(".payload summary").click()
    check(page, axe_source, "review")
    page.locator("#send").click()
    page.locator("#case-number").wait_for()
    check(page, axe_source, "confirmation")
    number = page.locator("#case-number").text_content()
    code = page.locator("#access-code").text_content()
    page.locator("#copy").click()  # saved: leaving the page asks nothing

    page.goto(f"{site}/case/")
    page.locator("#open-button").click()
    check(page, axe_source, "case page with its error")
    page.locator("#case-number-input").fill(number)
    page.locator("#access-code-input").fill(code)
    page.locator("#open-button").click()
    page.locator("#status-list li").first.wait_for()
    page.locator("#withdraw-start").click()
    check(page, axe_source, "case status, add and withdraw")


def test_an_unknown_case_gets_the_same_answer_as_a_wrong_code(site, page):
    """The page says the same for a wrong number and a wrong code: nothing to tell them apart."""
    created = actions.submit_case(
        "adult", [actions.HashInput(0, "image", "photo_md5", "0123456789abcdef0123456789abcdef")]
    )
    page.goto(f"{site}/case/")
    messages = []
    for number, code in (
        (created.case.number, "WRONG-CODE"),
        ("NOPE-NOPE-NOPE", created.access_code),
    ):
        page.locator("#case-number-input").fill(number)
        page.locator("#access-code-input").fill(code)
        page.locator("#open-button").click()
        expect(page.locator("#open-error")).to_contain_text("could not find")
        messages.append(page.locator("#open-error").text_content())
    assert messages[0] == messages[1]
