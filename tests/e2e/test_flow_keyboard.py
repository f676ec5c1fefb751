"""On a phone-sized screen with the keyboard alone: the whole flow, a visible focus at every
stop, nothing wider than the screen; and Quick exit, by click, by Enter and by Escape."""

import io

import pytest
from PIL import Image, ImageDraw

from registry.models import Case

pytestmark = pytest.mark.browser

NEUTRAL = "https://www.google.com/search?q=weather"


def photo(path):
    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    ImageDraw.Draw(image).rectangle((80, 60, 300, 400), fill=(30, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const style = getComputedStyle(e);
            return {id: e.id, tag: e.tagName, value: e.value, text: e.textContent.trim(),
                    outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )


def tab_to(page, matches, limit=40):
    """Presses Tab until the focused element matches; each stop must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if (
            element["tag"] != "INPUT" or element["id"] != "files"
        ):  # the hidden input shows on its label
            assert element["outline"] != "none" and element["width"] >= 2, element
        if matches(element):
            return element
    raise AssertionError("never reached by Tab")


def fits_the_screen(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    page.route(
        "https://www.google.com/**",
        lambda route: route.fulfill(body="weather", content_type="text/plain"),
    )
    yield page
    context.close()


def test_it_walks_the_flow_by_keyboard_on_a_phone(site, phone, tmp_path):
    page = phone
    photo(tmp_path / "photo.jpg")
    page.goto(f"{site}/")
    assert fits_the_screen(page)
    tab_to(page, lambda e: e["text"] == "Get Started" and e["tag"] == "A")
    page.keyboard.press("Enter")
    page.locator("#questions-continue:enabled").wait_for()

    tab_to(page, lambda e: e["tag"] == "INPUT" and e["value"] == "yes")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "I'm not sure"
    tab_to(page, lambda e: e["id"] == "questions-continue")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "step-files-heading"
    assert fits_the_screen(page)

    tab_to(page, lambda e: e["id"] == "files")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(tmp_path / "photo.jpg"))
    page.locator("#to-review:enabled").wait_for(timeout=90_000)
    assert fits_the_screen(page)
    tab_to(page, lambda e: e["id"] == "to-review")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "step-review-heading"
    tab_to(page, lambda e: e["tag"] == "SUMMARY")
    page.keyboard.press("Enter")  # opens "what we will send"
    assert page.locator("#payload").is_visible()
    assert fits_the_screen(page)
    tab_to(page, lambda e: e["id"] == "send")
    page.keyboard.press("Enter")
    page.locator("#step-done-heading:focus").wait_for()
    assert fits_the_screen(page)
    number = page.locator("#case-number").text_content()
    assert Case.objects.get(number=number).category == "minor"

    # Leaving with the code unsaved would ask first; Escape is Quick exit and asks nothing.
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)


def test_quick_exit_leaves_at_once_and_keeps_the_page_out_of_history(site, phone):
    page = phone
    page.goto(f"{site}/")
    page.goto(f"{site}/get-started/")
    page.locator("#questions-continue:enabled").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    page.go_back()
    assert page.url == f"{site}/"  # Get Started was replaced, not left behind

    page.goto(f"{site}/case/")
    tab_to(page, lambda e: e["id"] == "quick-exit")
    page.keyboard.press("Enter")
    page.wait_for_url(NEUTRAL)

    page.goto(f"{site}/help/")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(NEUTRAL)
