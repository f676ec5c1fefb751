"""A person opens a case by sending only hashes; anything malformed is refused whole."""

import hashlib
import json

import pytest

from registry import keys
from registry.models import AuditEntry, Case, FeedEvent, Signal

pytestmark = pytest.mark.django_db

MD5 = hashlib.md5(b"a photo").hexdigest()
OTHER_MD5 = hashlib.md5(b"another photo").hexdigest()


def submit(client, body, **kwargs):
    return client.post("/api/v1/cases", body, format="json", **kwargs)


def test_it_opens_a_case_and_publishes_its_hashes(submitter):
    response = submit(
        submitter,
        {
            "category": "minor",
            "items": [
                {"media_type": "image", "photo_md5": MD5},
                {"media_type": "video", "video_md5": OTHER_MD5.upper()},
            ],
        },
    )

    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(number=body["case_number"])
    assert case.category == "minor"
    assert keys.matches(keys.normalise_code(body["access_code"]), case.code_hash)
    assert len(keys.normalise_code(body["access_code"])) * 5 >= 128
    stored = list(case.signals.values_list("item", "media_type", "signal_type", "value"))
    assert stored == [(0, "image", "photo_md5", MD5), (1, "video", "video_md5", OTHER_MD5)]
    assert [e.action for e in FeedEvent.objects.filter(signal__case=case)] == ["add", "add"]
    assert AuditEntry.objects.filter(action="submit_case", object_ids=[case.pk]).exists()


def test_it_stores_the_access_code_only_as_a_hash(submitter):
    body = submit(
        submitter, {"category": "adult", "items": [{"media_type": "image", "photo_md5": MD5}]}
    ).json()

    case = Case.objects.get(number=body["case_number"])
    code = keys.normalise_code(body["access_code"])
    assert code not in case.code_hash
    assert case.code_hash == hashlib.sha256(code.encode()).hexdigest()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"media_type": "image", "photo_md5": "xyz"}, "32 hexadecimal"),
        ({"media_type": "image", "photo_md5": "d41d8cd98f00b204e9800998ecf8427e"}, "empty file"),
        ({"media_type": "image", "video_md5": MD5}, "photo_md5"),
        (
            {"media_type": "image", "photo_md5": MD5, "pdq": [{"hash": "0" * 64, "quality": 100}]},
            "all zeros",
        ),
        (
            {"media_type": "image", "photo_md5": MD5, "pdq": [{"hash": "f" * 64, "quality": 100}]},
            "256 bits set, a real image sets 128",
        ),
        (
            {
                "media_type": "video",
                "video_md5": MD5,
                "vpdq": [{"frame": 0, "hash": "0" * 64, "quality": 0, "timestamp": 0.0}],
            },
            "No frame of this video",
        ),
        (
            {"media_type": "image", "photo_md5": MD5, "pdq": [{"hash": "f0" * 32, "quality": 12}]},
            "quality under 50",
        ),
        ({"media_type": "audio", "photo_md5": MD5}, "Use 'image' or 'video'"),
        ("a photo", "a JSON object"),
    ],
)
def test_it_refuses_a_malformed_hash_and_keeps_nothing(submitter, item, message):
    good = {"media_type": "image", "photo_md5": OTHER_MD5}
    response = submit(submitter, {"category": "adult", "items": [good, item]})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert list(body["detail"]["items"]) == ["1"]  # the first item was fine
    assert message in json.dumps(body["detail"]["items"]["1"])
    assert not Case.objects.exists()
    assert not Signal.objects.exists()


def test_it_refuses_the_same_hash_twice_in_one_case(submitter):
    item = {"media_type": "image", "photo_md5": MD5}
    response = submit(submitter, {"category": "adult", "items": [item, item]})

    assert response.status_code == 400
    assert "Item 2 repeats" in json.dumps(response.json())


def test_it_refuses_a_51st_item(submitter):
    items = [
        {"media_type": "image", "photo_md5": hashlib.md5(str(i).encode()).hexdigest()}
        for i in range(51)
    ]
    response = submit(submitter, {"category": "adult", "items": items})

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_it_answers_a_body_that_is_not_json_with_a_json_error(submitter):
    response = submitter.post(
        "/api/v1/cases", data="category=adult", content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "parse_error"


def test_it_refuses_multipart_uploads(submitter):
    response = submitter.post("/api/v1/cases", {"file": b"pixels"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert not Case.objects.exists()


def test_it_refuses_a_body_over_256_kb(submitter):
    padding = "x" * (256 * 1024)
    response = submit(submitter, {"category": "adult", "items": [], "padding": padding})

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_it_answers_an_unknown_api_path_with_json(submitter):
    response = submitter.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
