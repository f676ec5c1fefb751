"""Staff see cases and their hashes in the admin."""

import hashlib

import pytest

from registry import actions
from registry.actions import HashInput

pytestmark = pytest.mark.django_db


def test_it_lists_the_case_and_shows_its_hashes(staff):
    value = hashlib.md5(b"photo").hexdigest()
    case = actions.submit_case("minor", [HashInput(0, "image", "photo_md5", value)]).case

    listing = staff.get("/admin/registry/case/")
    detail = staff.get(f"/admin/registry/case/{case.pk}/change/")
    hashes = staff.get("/admin/registry/signal/")

    assert listing.status_code == 200
    assert case.number in listing.text
    assert value in detail.text
    assert case.number in hashes.text


def test_it_keeps_the_admin_closed_to_visitors(client):
    response = client.get("/admin/registry/case/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
