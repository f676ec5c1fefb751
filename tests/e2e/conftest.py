"""Real Chromium (Debian's, driven by Playwright) against the real site (the `site` fixture)."""

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop running in the test's thread; the ORM calls the
    tests make are still synchronous, which Django allows once told (its docs advise this)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Playwright's sync API keeps an event loop running while it is
    open, and Django refuses ORM calls beside a running loop, so it must not outlive the browser
    tests (a session-wide browser broke every database test that ran after them)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    yield page
    context.close()


_START_HASHER = """async (pyodide) => {
  const { Hasher } = await import("/static/portal/hasher.js");
  window.hasher = new Hasher({ workerUrl: "/static/portal/hash-worker.js",
    indexURL: pyodide, lockFileURL: pyodide + "pyodide-lock.json" });
  const input = Object.assign(document.createElement("input"), { type: "file", multiple: true, id: "under-test" });
  document.body.append(input);
  await window.hasher.ready;
}"""

# Every file at once, as a person drops several: each settles on its own.
_HASH_ALL = """async () => Promise.all([...document.getElementById("under-test").files].map((file) =>
  window.hasher.hash(file).then((hashed) => hashed, (error) => ({ name: file.name, code: error.code }))))"""


class BrowserHasher:
    """static/portal/hasher.js driven directly in the real Get Started page's origin (so the
    production CSP and WhiteNoise apply), with the files put in `#under-test`."""

    def __init__(self, site, page):
        self.site, self.page = site, page

    def load(self, paths):
        """Start a Hasher in the page and choose these files."""
        from django.conf import settings

        # The page's own script would start a second runtime beside ours: on 2 cores, keep it out.
        self.page.route("**/portal/get-started.js", lambda route: route.abort())
        self.page.goto(f"{self.site}/get-started/")
        self.page.evaluate(_START_HASHER, f"/static/pyodide/{settings.PYODIDE_VERSION}/")
        self.page.set_input_files("#under-test", [str(p) for p in paths])

    def hash_all(self):
        """What Hasher.hash gives for each chosen file, in order (an error becomes {name, code})."""
        return self.page.evaluate(_HASH_ALL)


@pytest.fixture
def browser_hasher(site, page):
    return BrowserHasher(site, page)
