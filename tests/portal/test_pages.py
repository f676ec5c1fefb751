"""The public pages render in English and Spanish, load only our own files, and never take the
case number or access code themselves."""

import re
from pathlib import Path

import pytest

PAGES = {
    "/": (
        "Stop intimate images of you from spreading",
        "Evita que se difundan tus imágenes íntimas",
    ),
    "/get-started/": ("Get Started", "Empezar"),
    "/case/": ("Your case", "Tu caso"),
    "/help/": ("Get help now", "Pedir ayuda ahora"),
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish(client):
    client.cookies["django_language"] = "es"
    return client


@pytest.mark.parametrize("url", PAGES)
def test_it_renders_each_page_in_english(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert f"<h1>{PAGES[url][0]}</h1>" in response.text
    assert '<html lang="en">' in response.text


@pytest.mark.parametrize("url", PAGES)
def test_it_renders_each_page_in_spanish(spanish, url):
    response = spanish.get(url)

    assert f"<h1>{PAGES[url][1]}</h1>" in response.text
    assert '<html lang="es">' in response.text
    assert "Salida rápida" in response.text
    assert 'lang="en">English</button>' in response.text


@pytest.mark.parametrize("url", PAGES)
def test_it_has_no_inline_script_or_style(client, url):
    html = client.get(url).text

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("url", PAGES)
def test_it_offers_quick_exit_and_help_everywhere(client, url):
    html = client.get(url).text

    assert 'id="quick-exit"' in html
    assert 'href="/help/"' in html


def test_it_links_out_without_a_referrer(client):
    html = client.get("/help/").text
    external = re.findall(r'<a href="https://[^"]+"[^>]*>', html)

    assert {"report.cybertip.org", "takeitdown.ncmec.org", "stopncii.org"} <= {
        re.search(r"https://([^/]+)/", link).group(1) for link in external
    }
    assert all('rel="noreferrer"' in link for link in external)


def test_it_ignores_a_case_form_posted_without_its_script(client):
    response = client.post("/case/", {"case_number": "ABCD-EFGH", "access_code": "SECRET-CODE"})

    assert response.status_code == 200
    assert "SECRET-CODE" not in response.text
    assert "ABCD-EFGH" not in response.text


def test_it_serves_the_scripts_strings_in_spanish(spanish):
    response = spanish.get("/jsi18n/")

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "Listo. Elige tus archivos" in response.text


def test_the_spanish_catalogue_is_complete():
    """Every message in both catalogues has a translation (and none is marked fuzzy)."""
    for name in ("django.po", "djangojs.po"):
        text = (Path(__file__).resolve().parents[2] / "locale/es/LC_MESSAGES" / name).read_text()
        assert "#, fuzzy" not in text
        assert not re.search(r'^msgstr(\[\d\])? ""\n\n', text[text.index("\n\n") :], re.M), name
