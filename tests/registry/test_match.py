"""Partners ask which registry hashes match theirs; the answer equals a brute-force scan."""

import hashlib

import pytest

from hashing_wasm import VpdqFeature, hamming_distance, to_threatexchange_json
from registry import actions
from registry.actions import HashInput
from registry.models import Signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def matcher(make_partner):
    return make_partner("Matcher", ["match"])[1]


def ask(client, *hashes):
    response = client.post("/api/v1/match", {"hashes": list(hashes)}, format="json")
    assert response.status_code == 200, response.json()
    return [result["matches"] for result in response.json()["results"]]


def test_it_finds_pdq_hashes_exactly_as_a_brute_force_scan(matcher, pdq):
    base = [pdq.random() for _ in range(20)]
    stored = base + [pdq.moved(b, d) for b in base for d in (10, 30, 32)]
    for chunk in range(0, len(stored), 40):
        hashes = [
            HashInput(i, "image", "pdq", v, 90) for i, v in enumerate(stored[chunk : chunk + 40])
        ]
        actions.submit_case("adult", hashes)
    ids = dict(Signal.objects.values_list("value", "id"))
    queries = base[:10] + [pdq.random() for _ in range(5)]

    found = ask(matcher, *({"signal_type": "pdq", "value": q} for q in queries))

    for query, matches in zip(queries, found, strict=True):
        expected = sorted(
            (hamming_distance(query, value), ids[value])
            for value in stored
            if hamming_distance(query, value) <= 31
        )
        assert [(m["distance"], m["id"]) for m in matches] == expected
    assert all(len(matches) == 3 for matches in found[:10])  # itself, 10 and 30 bits away


def test_it_finds_a_rotated_copy_through_the_dihedral_variants(matcher, pdq):
    original, rotated = pdq.random(), pdq.random()
    actions.submit_case("minor", [HashInput(0, "image", "pdq", original, 80)])

    plain, through_variants = ask(
        matcher,
        {"signal_type": "pdq", "value": rotated},
        {"signal_type": "pdq", "value": rotated, "dihedral": [pdq.moved(original, 4)]},
    )

    assert plain == []
    assert [(m["distance"], m["category"]) for m in through_variants] == [(4, "minor")]


def test_it_matches_md5_exactly_and_only_active_hashes(matcher):
    kept = hashlib.md5(b"kept").hexdigest()
    gone = hashlib.md5(b"gone").hexdigest()
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", kept)])
    withdrawn = actions.submit_case("adult", [HashInput(0, "image", "photo_md5", gone)])
    actions.withdraw_case(withdrawn.case)

    found = ask(
        matcher,
        {"signal_type": "photo_md5", "value": kept.upper()},
        {"signal_type": "photo_md5", "value": gone},
        {"signal_type": "video_md5", "value": kept},
    )

    assert [[m["distance"] for m in matches] for matches in found] == [[0], [], []]


def test_it_follows_a_withdrawal_within_a_second(matcher, pdq):
    value = pdq.random()
    created = actions.submit_case("adult", [HashInput(0, "image", "pdq", value, 90)])
    assert ask(matcher, {"signal_type": "pdq", "value": value}) != [[]]

    actions.withdraw_case(created.case)
    from registry import matching

    matching.current_index(max_age=0)  # what a request a second later sees

    assert ask(matcher, {"signal_type": "pdq", "value": value}) == [[]]


def test_it_matches_videos_by_the_vpdq_rule(matcher, pdq):
    frames = [pdq.random() for _ in range(10)]

    def vpdq(hashes):
        return [
            {"frame": i * 30, "hash": h, "quality": 90, "timestamp": float(i)}
            for i, h in enumerate(hashes)
        ]

    item = {
        "media_type": "video",
        "video_md5": hashlib.md5(b"video").hexdigest(),
        "vpdq": vpdq(frames),
    }
    response = matcher.post("/api/v1/cases", {"category": "adult", "items": [item]}, format="json")
    assert response.status_code == 201

    def signal(hashes):
        return to_threatexchange_json(
            VpdqFeature(i * 30, 90, h, float(i)) for i, h in enumerate(hashes)
        )

    most = [pdq.moved(f, 6) for f in frames[:8]] + [pdq.random() for _ in range(2)]
    few = [pdq.moved(f, 6) for f in frames[:7]] + [pdq.random() for _ in range(3)]
    found = ask(
        matcher,
        {"signal_type": "vpdq", "value": signal(most)},
        {"signal_type": "vpdq", "value": signal(few)},
    )

    assert [len(matches) for matches in found] == [1, 0]  # 80 % of frames match; 70 % do not


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"signal_type": "pdq", "value": "zz"}, "value"),
        ({"signal_type": "photo_md5", "value": "a" * 31}, "value"),
        ({"signal_type": "vpdq", "value": "not json"}, "value"),
        ({"signal_type": "pdq", "value": "f0" * 32, "dihedral": ["0" * 64]}, "dihedral"),
        ({"signal_type": "sha1", "value": "a" * 40}, "signal_type"),
    ],
)
def test_it_refuses_a_malformed_query(matcher, query, field):
    response = matcher.post("/api/v1/match", {"hashes": [query]}, format="json")

    assert response.status_code == 400
    assert field in response.json()["detail"]["hashes"]["0"]


def test_it_refuses_more_than_100_queries(matcher):
    query = {"signal_type": "photo_md5", "value": "a" * 32}

    response = matcher.post("/api/v1/match", {"hashes": [query] * 101}, format="json")

    assert response.status_code == 400


def test_it_refuses_a_key_without_the_match_scope(partner_client):
    partner_client.credentials(HTTP_AUTHORIZATION="Bearer tdk_unknown")
    assert partner_client.post("/api/v1/match", {"hashes": []}, format="json").status_code == 401
