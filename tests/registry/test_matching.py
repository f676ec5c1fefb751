"""The PDQ index finds exactly what a brute-force scan finds, and follows the feed."""

import numpy as np
import pytest

from registry import actions, matching
from registry.actions import HashInput
from registry.matching import PdqIndex
from registry.models import FeedEvent, Signal


@pytest.fixture(autouse=True)
def _fresh_index():
    matching.reset_current_index()
    yield
    matching.reset_current_index()


@pytest.fixture
def rng():
    return np.random.default_rng(20_240_401)


def make_hashes(rng, n):
    """Random PDQ-like hashes: 256 bits, exactly 128 of them set, as real photos give."""
    keys = rng.random((n, 256))
    bits = np.zeros((n, 256), dtype=np.uint8)
    np.put_along_axis(bits, np.argpartition(keys, 128, axis=1)[:, :128], 1, axis=1)
    return [row.tobytes().hex() for row in np.packbits(bits, axis=1)]


def make_neighbour(rng, value, distance):
    """A hash exactly `distance` bits from `value`, still with 128 bits set when distance is even."""
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8))
    ones, zeros = np.flatnonzero(bits), np.flatnonzero(bits == 0)
    bits[rng.choice(ones, distance // 2, replace=False)] = 0
    bits[rng.choice(zeros, distance - distance // 2, replace=False)] = 1
    return np.packbits(bits).tobytes().hex()


def brute_force(entries, query, max_distance=31):
    """The reference answer: every (id, distance) within reach, by distance then id."""
    ids = np.array(list(entries), dtype=np.int64)
    values = np.frombuffer(bytes.fromhex("".join(entries.values())), dtype=np.uint64)
    values = values.reshape(-1, 4)
    distances = np.bitwise_count(values ^ np.frombuffer(bytes.fromhex(query), np.uint64)).sum(1)
    near = distances <= max_distance
    pairs = zip(ids[near].tolist(), distances[near].tolist(), strict=True)
    return sorted(pairs, key=lambda p: (p[1], p[0]))


def make_registry(rng, n=20_000, queries=30, clusters=20):
    """Random hashes, neighbours of each query at distances 0..40, and tight clusters."""
    entries = dict(enumerate(make_hashes(rng, n)))
    query_values = make_hashes(rng, queries)
    for query in query_values:
        for distance in range(41):
            entries[len(entries)] = make_neighbour(rng, query, distance)
    for centre in make_hashes(rng, clusters):  # near-duplicates crowd the same buckets
        for _ in range(200):
            entries[len(entries)] = make_neighbour(rng, centre, int(rng.integers(0, 24)))
        query_values.append(make_neighbour(rng, centre, 12))
    return entries, query_values


def make_index(entries, merge_every=4096):
    index = PdqIndex(merge_every=merge_every)
    index.add(list(entries), list(entries.values()))
    return index


def test_it_finds_exactly_what_a_brute_force_scan_finds(rng):
    entries, queries = make_registry(rng)
    index = make_index(entries)

    found = index.search_many(queries)

    assert found == [brute_force(entries, q) for q in queries]
    assert [index.search(q) for q in queries] == found
    assert sum(len(f) for f in found) > 30 * 32  # the planted neighbours at 0..31 at least


@pytest.mark.parametrize("max_distance", [0, 10, 16, 40])
def test_it_is_exact_at_other_distances(rng, max_distance):
    entries, queries = make_registry(rng, n=5_000, queries=10, clusters=5)
    index = make_index(entries)

    found = index.search_many(queries, max_distance)

    assert found == [brute_force(entries, q, max_distance) for q in queries]


def test_it_matches_at_31_bits_and_not_at_32(rng):
    query, *others = make_hashes(rng, 1_001)
    index = make_index(dict(enumerate(others)))
    index.add([5_000, 5_001], [make_neighbour(rng, query, 31), make_neighbour(rng, query, 32)])

    assert [(i, d) for i, d in index.search(query) if i >= 5_000] == [(5_000, 31)]


def test_it_sorts_by_distance_then_id(rng):
    query = make_hashes(rng, 1)[0]
    index = PdqIndex()
    index.add([9, 3, 7, 1], [make_neighbour(rng, query, d) for d in (4, 4, 0, 20)])

    assert index.search(query) == [(7, 0), (3, 4), (9, 4), (1, 20)]


def test_it_forgets_a_removed_hash_and_takes_it_back(rng):
    entries, queries = make_registry(rng, n=2_000, queries=3, clusters=0)
    index = make_index(entries, merge_every=64)
    near = [i for i, _ in index.search(queries[0])]

    index.remove([*near[:5], 10**9])  # an id it never had is ignored

    assert [i for i, _ in index.search(queries[0])] == near[5:]
    assert len(index) == len(entries) - 5
    index.add(near[:5], [entries[i] for i in near[:5]])
    assert [i for i, _ in index.search(queries[0])] == near
    assert len(index) == len(entries)


def test_it_gives_an_id_added_again_its_new_hash(rng):
    first, second = make_hashes(rng, 2)
    index = PdqIndex()
    index.add([1], [first])

    index.add([1], [second])

    assert index.search(first) == []
    assert index.search(second) == [(1, 0)]
    assert len(index) == 1


@pytest.mark.parametrize("merge_every", [1, 50, 4096])
def test_it_stays_exact_through_churn(rng, merge_every):
    entries, queries = make_registry(rng, n=3_000, queries=5, clusters=3)
    index = make_index(entries, merge_every)
    next_id = len(entries)
    for _ in range(20):
        gone = rng.choice(list(entries), 150, replace=False).tolist()
        index.remove(gone)
        for i in gone:
            del entries[i]
        new = {next_id + k: make_neighbour(rng, queries[k % 5], k % 40) for k in range(150)}
        next_id += 150
        index.add(list(new), list(new.values()))
        entries |= new

        assert index.search_many(queries) == [brute_force(entries, q) for q in queries]
    assert len(index) == len(entries)


def test_its_memory_stays_bounded_under_churn(rng):
    values = make_hashes(rng, 3_000)
    index = PdqIndex(merge_every=500)
    index.add(range(2_000), values[:2_000])

    def churn(cycles, first_id):
        for cycle in range(cycles):
            ids = range(first_id + cycle * 1_000, first_id + (cycle + 1) * 1_000)
            index.add(ids, values[2_000:])
            index.remove(ids)

    churn(1, 10_000)
    capacity, nbytes = index.capacity, index.nbytes
    churn(50, 20_000)  # 50,000 more adds and removes

    assert len(index) == 2_000
    assert index.capacity == capacity <= 2 * 3_000  # reused, never more than twice the peak
    assert index.nbytes == nbytes


@pytest.mark.parametrize("value", ["ab" * 31, "zz" * 32, "ab" * 33, " " + "ab" * 31 + " "])
def test_it_refuses_a_malformed_hash(value):
    index = PdqIndex()

    with pytest.raises(ValueError):
        index.add([1], [value])
    with pytest.raises(ValueError):
        index.search(value)
    assert len(index) == 0


# The process's index and the feed.


def make_case(*values, signal_type="pdq", category="adult"):
    hashes = [HashInput(i, "image", signal_type, v, 80) for i, v in enumerate(values)]
    return actions.submit_case(category, hashes).case


def ids_near(value):
    return [i for i, _ in matching.current_index(max_age=0).search(value)]


@pytest.mark.django_db
def test_it_loads_the_active_pdq_hashes_on_first_use(rng):
    kept, withdrawn, quarantined, md5_like = make_hashes(rng, 4)
    case = make_case(kept)
    actions.withdraw_case(make_case(withdrawn))
    Signal.objects.filter(pk=make_case(quarantined).signals.get().pk).update(status="quarantined")
    make_case(md5_like[:32], signal_type="photo_md5")

    index = matching.current_index()

    assert len(index) == 1
    assert index.search(kept) == [(case.signals.get().pk, 0)]
    assert index.search(withdrawn) == index.search(quarantined) == []


@pytest.mark.django_db
def test_it_follows_submissions_and_withdrawals(rng):
    first, second = make_hashes(rng, 2)
    matching.current_index()
    case = make_case(first, make_neighbour(rng, first, 20))
    ids = list(case.signals.values_list("pk", flat=True))

    assert ids_near(first) == ids
    assert ids_near(second) == []

    actions.withdraw_case(case)
    make_case(second)

    assert ids_near(first) == []
    assert len(ids_near(second)) == 1


@pytest.mark.django_db
def test_it_takes_back_a_hash_restored_after_removal(rng):
    (value,) = make_hashes(rng, 1)
    signal = make_case(value).signals.get()
    assert ids_near(value) == [signal.pk]

    # Quarantined, then restored by staff: a remove and then an add in the feed.
    Signal.objects.filter(pk=signal.pk).update(status="quarantined")
    FeedEvent.objects.create(action="remove", signal=signal)
    assert ids_near(value) == []
    Signal.objects.filter(pk=signal.pk).update(status="active")
    FeedEvent.objects.create(action="add", signal=signal)

    assert ids_near(value) == [signal.pk]


@pytest.mark.django_db
def test_it_ignores_an_add_whose_hash_was_removed_since(rng):
    (value,) = make_hashes(rng, 1)
    matching.current_index()
    case = make_case(value)
    actions.withdraw_case(case)  # both events arrive in the same catch-up

    assert ids_near(value) == []


@pytest.mark.django_db
def test_it_reads_the_feed_at_most_every_half_second(rng, django_assert_num_queries):
    (value,) = make_hashes(rng, 1)
    matching.current_index()
    make_case(value)

    with django_assert_num_queries(0):
        stale = matching.current_index()
    assert stale.search(value) == []
    with django_assert_num_queries(1):
        assert len(matching.current_index(max_age=0).search(value)) == 1
