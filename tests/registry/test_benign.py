"""Hashes near a known benign image are refused, so nobody can get harmless content removed."""

import pytest

from registry.models import BenignHash, Case

pytestmark = pytest.mark.django_db


def submit_pdq(client, value):
    item = {"media_type": "image", "photo_md5": value[:32], "pdq": [{"hash": value, "quality": 90}]}
    return client.post("/api/v1/cases", {"category": "adult", "items": [item]}, format="json")


def test_it_refuses_a_hash_within_31_bits_of_a_benign_image(submitter, pdq):
    meme = pdq.random()
    BenignHash.objects.create(value=meme, note="viral meme")

    near = submit_pdq(submitter, pdq.moved(meme, 30))
    far = submit_pdq(submitter, pdq.moved(meme, 32))

    assert near.status_code == 400
    assert "known not to be intimate content" in str(near.json()["detail"])
    assert far.status_code == 201
    assert Case.objects.count() == 1
