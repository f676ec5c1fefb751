"""Partners report verdicts; a hash three partners call not violating leaves the feed for review."""

import hashlib

import pytest

from registry import actions
from registry.actions import HashInput
from registry.models import AuditEntry, Signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal():
    value = hashlib.md5(b"photo").hexdigest()
    return actions.submit_case(
        "adult", [HashInput(0, "image", "photo_md5", value)]
    ).case.signals.get()


def verdict(client, signal, kind):
    return client.post("/api/v1/feedback", {"hash_id": signal.pk, "verdict": kind}, format="json")


def test_it_quarantines_a_hash_when_three_partners_say_not_violating(make_partner, signal):
    clients = [make_partner(f"P{i}", ["feed:read", "feedback"])[1] for i in range(3)]

    answers = [verdict(c, signal, "not_violating").json() for c in clients]

    assert [a["quarantined"] for a in answers] == [False, False, True]
    signal.refresh_from_db()
    assert signal.status == "quarantined"
    events = clients[0].get("/api/v1/feed").json()["events"]
    assert [e["action"] for e in events] == ["add", "remove"]
    assert AuditEntry.objects.filter(action="quarantine", object_ids=[signal.pk]).exists()


def test_it_counts_each_partner_once(make_partner, signal):
    _, client = make_partner("P", ["feedback"])

    for _ in range(3):
        assert verdict(client, signal, "not_violating").json()["quarantined"] is False

    signal.refresh_from_db()
    assert signal.status == "active"


def test_it_lets_a_partner_change_its_verdict(make_partner, signal):
    clients = [make_partner(f"P{i}", ["feedback"])[1] for i in range(3)]
    verdict(clients[0], signal, "not_violating")
    verdict(clients[0], signal, "removed")
    verdict(clients[1], signal, "not_violating")

    assert verdict(clients[2], signal, "not_violating").json()["quarantined"] is False
    assert Signal.objects.get(pk=signal.pk).status == "active"


def test_it_refuses_feedback_without_the_scope(make_partner, signal):
    _, client = make_partner("Reader", ["feed:read"])

    assert verdict(client, signal, "removed").status_code == 403


def test_it_refuses_an_unknown_hash_or_verdict(make_partner, signal):
    _, client = make_partner("P", ["feedback"])

    unknown = client.post(
        "/api/v1/feedback", {"hash_id": 999999, "verdict": "removed"}, format="json"
    )
    bad = verdict(client, signal, "maybe")

    assert unknown.status_code == 404
    assert bad.status_code == 400
