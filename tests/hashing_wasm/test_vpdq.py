"""vPDQ: sampling, serialisations, and the match rule against the reference's expected results."""

import csv
import json
from itertools import combinations_with_replacement

import numpy as np
import pytest

from hashing_wasm import (
    VpdqFeature,
    VpdqFormatError,
    format_hash_file,
    from_threatexchange_json,
    hash_frame,
    is_vpdq_match,
    match_vpdq,
    parse_hash_file,
    sampled_frame_numbers,
    to_threatexchange_json,
)


def naive_percentages(query, compared):
    """The rule written out plainly: unique hashes, quality >= 50, distance <= 31."""

    def usable(features):
        first = {}
        for f in features:
            first.setdefault(f.pdq_hex, f.quality)
        return [int(h, 16) for h, q in first.items() if q >= 50]

    mine, theirs = usable(query), usable(compared)
    found = sum(any((a ^ b).bit_count() <= 31 for b in theirs) for a in mine)
    found_back = sum(any((a ^ b).bit_count() <= 31 for b in mine) for a in theirs)
    return found * 100 / len(mine), found_back * 100 / len(theirs)


def test_it_matches_the_expected_percentages_for_every_pair_of_sample_hashes(testdata, oracle):
    if testdata is None:
        _check_generated_videos(oracle)
        return
    folder = testdata / "threatexchange" / "vpdq" / "sample-hashes"
    videos = {path.name: parse_hash_file(path.read_text()) for path in folder.glob("*.txt")}
    with (testdata / "vpdq_expected_matches.csv").open() as rows:
        expected = {(r["query"], r["compared"]): r for r in csv.DictReader(rows)}
    assert len(expected) == len(videos) ** 2 >= 900
    for first, second in combinations_with_replacement(sorted(videos), 2):
        result = match_vpdq(videos[first], videos[second])
        # One comparison gives both directions: (first, second) and its mirror row.
        for query, compared, query_pct, compared_pct in (
            (first, second, result.query_match_percent, result.compared_match_percent),
            (second, first, result.compared_match_percent, result.query_match_percent),
        ):
            row = expected[query, compared]
            assert f"{query_pct:.2f}" == row["query_match_pct"], (query, compared)
            assert f"{compared_pct:.2f}" == row["compared_match_pct"], (query, compared)
            verdict = query_pct >= 80 and compared_pct >= 0
            assert ("yes" if verdict else "no") == row["match"], (query, compared)
        assert result.is_match() == (result.query_match_percent >= 80)


def _check_generated_videos(oracle):
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (12, 48, 64, 3), dtype=np.uint8).repeat(2, 1).repeat(2, 2)
    videos = []
    for shift in (0, 3, 40):
        frames = np.roll(base, shift, axis=2)
        features = []
        for n, frame in enumerate(frames):
            pdq, quality = oracle.pdq(frame)
            features.append(VpdqFeature(n, quality, pdq, float(n)))
        videos.append(features)
    for query in videos:
        for compared in videos:
            result = match_vpdq(query, compared)
            expected = naive_percentages(query, compared)
            assert (result.query_match_percent, result.compared_match_percent) == expected


def test_it_samples_one_frame_per_second():
    assert list(sampled_frame_numbers(95, 30.0)) == [0, 30, 60, 90]
    assert list(sampled_frame_numbers(60, 29.97)) == [0, 29, 58]
    assert list(sampled_frame_numbers(3, 0.5)) == [0, 1, 2]  # at least every frame
    assert list(sampled_frame_numbers(100, 30.0, seconds_per_hash=2)) == [0, 60]


def test_it_hashes_a_frame_into_a_feature(make_photo, oracle):
    rgb = make_photo(90, 160, 1)
    rgba = np.concatenate([rgb, np.full((90, 160, 1), 255, np.uint8)], axis=2)
    feature = hash_frame(rgba.tobytes(), 160, 90, frame_number=60, fps=30.0)
    assert (feature.pdq_hex, feature.quality) == oracle.pdq(rgb)
    assert (feature.frame_number, feature.timestamp) == (60, 2.0)


def test_it_writes_and_reads_python_threatexchanges_signal_string():
    features = [
        VpdqFeature(
            0, 100, "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c", 0.0
        ),
        VpdqFeature(
            30, 49, "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c", 1.0333
        ),
    ]
    signal = to_threatexchange_json(features)
    assert json.loads(signal)[1] == (
        "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,49,1.033"
    )
    again = from_threatexchange_json(signal)
    assert [(f.pdq_hex, f.quality, f.timestamp) for f in again] == [
        (features[0].pdq_hex, 100, 0.0),
        (features[1].pdq_hex, 49, 1.033),
    ]
    assert from_threatexchange_json("") == []


def test_it_round_trips_the_reference_hash_files(testdata):
    if testdata is None:
        text = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n"
    else:
        path = testdata / "threatexchange/vpdq/sample-hashes/chair-19-sd-bar.txt"
        text = path.read_text()
    features = parse_hash_file(text)
    assert features[0].frame_number == 0
    assert format_hash_file(features) == text


@pytest.mark.parametrize(
    "signal",
    [
        "{",
        '{"a": 1}',
        '["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100"]',
        '["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055,100,0.0"]',
        '["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,101,0.0"]',
        '["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,ten,0.0"]',
        '["e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,10,-1"]',
        "[42]",
    ],
)
def test_it_refuses_malformed_signals(signal):
    with pytest.raises(VpdqFormatError):
        from_threatexchange_json(signal)


def test_it_refuses_malformed_hash_file_lines():
    with pytest.raises(VpdqFormatError, match="line 2"):
        parse_hash_file("0,100," + "a" * 64 + ",0.000\n1,100,zz,0.033\n")


def test_it_finds_no_match_without_usable_frames():
    poor = [VpdqFeature(0, 10, "a" * 64, 0.0)]
    good = [VpdqFeature(0, 100, "a" * 64, 0.0)]
    assert match_vpdq(poor, good).query_match_percent == 0.0
    assert not is_vpdq_match(poor, good)
    assert is_vpdq_match(good, good)
