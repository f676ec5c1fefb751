"""Hashes near a known benign image are refused, so nobody can get harmless content removed."""

import random

import pytest

from registry.models import BenignHash, Case

pytestmark = pytest.mark.django_db


def random_pdq(rng):
    bits = rng.sample(range(256), 128)
    return f"{sum(1 << b for b in bits):064x}"


def flip(value, count, rng):
    """The hash with `count` bits moved, keeping 128 set."""
    number = int(value, 16)
    ones = [b for b in range(256) if number >> b & 1]
    zeros = [b for b in range(256) if not number >> b & 1]
    for one, zero in zip(rng.sample(ones, count // 2), rng.sample(zeros, count // 2), strict=True):
        number ^= (1 << one) | (1 << zero)
    return f"{number:064x}"


def submit_pdq(client, value):
    item = {"media_type": "image", "photo_md5": value[:32], "pdq": [{"hash": value, "quality": 90}]}
    return client.post("/api/v1/cases", {"category": "adult", "items": [item]}, format="json")


def test_it_refuses_a_hash_within_31_bits_of_a_benign_image(submitter):
    rng = random.Random(7)
    meme = random_pdq(rng)
    BenignHash.objects.create(value=meme, note="viral meme")

    near = submit_pdq(submitter, flip(meme, 30, rng))
    far = submit_pdq(submitter, flip(meme, 32, rng))

    assert near.status_code == 400
    assert "known not to be intimate content" in str(near.json()["detail"])
    assert far.status_code == 201
    assert Case.objects.count() == 1
