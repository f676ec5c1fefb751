"""The public transparency page shows totals only, in both languages, and is cached."""

import hashlib

import pytest
from django.core.cache import cache

from registry import actions
from registry.actions import HashInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_it_shows_aggregate_numbers_only(client, partner):
    created = actions.submit_case(
        "minor",
        [HashInput(i, "image", "photo_md5", hashlib.md5(bytes([i])).hexdigest()) for i in range(3)],
    )
    actions.withdraw_case(
        actions.submit_case("adult", [HashInput(0, "image", "photo_md5", "ab" * 16)]).case
    )

    page = client.get("/transparency/")

    figures = page.context["figures"]
    assert figures == {
        "cases": 2,
        "active_hashes": 3,
        "partners": 1,
        "withdrawn_hashes": 1,
        "quarantined_hashes": 0,
    }
    assert created.case.number not in page.text and partner.name not in page.text
    assert "max-age=600" in page["Cache-Control"]


def test_it_is_cached_for_ten_minutes(client):
    first = client.get("/transparency/").text
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", "cd" * 16)])

    assert client.get("/transparency/").text == first


def test_it_speaks_spanish(client):
    page = client.get("/transparency/", headers={"Accept-Language": "es"})

    assert "Casos abiertos" in page.text
