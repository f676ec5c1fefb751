"""A new partner downloads the whole active set with the cursor to continue the feed from."""

import hashlib
import json

import pytest

from registry import actions
from registry.actions import HashInput

# Transactional, so the export opens its own repeatable-read snapshot as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def export(client):
    response = client.get("/api/v1/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    return lines[0]["cursor"], lines[1:]


def test_it_exports_the_active_hashes_and_a_cursor_that_continues_the_feed(partner_client):
    kept = actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("kept"))])
    gone = actions.submit_case("minor", [HashInput(0, "image", "photo_md5", md5("gone"))])
    actions.withdraw_case(gone.case)

    cursor, hashes = export(partner_client)
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("later"))])
    feed = partner_client.get("/api/v1/feed", {"after": cursor}).json()["events"]

    assert [h["value"] for h in hashes] == [md5("kept")]
    assert hashes[0]["category"] == "adult"
    assert hashes[0]["id"] == kept.case.signals.get().id
    assert [(e["action"], e["hash"]["value"]) for e in feed] == [("add", md5("later"))]


def test_it_reads_the_export_in_a_bounded_number_of_queries(
    partner_client, django_assert_max_num_queries
):
    for i in range(40):
        actions.submit_case(
            "adult", [HashInput(j, "image", "photo_md5", md5(f"{i}-{j}")) for j in range(50)]
        )

    # key lookup, isolation level, cursor, the hashes (a server-side cursor, fetched in chunks)
    with django_assert_max_num_queries(6):
        cursor, hashes = export(partner_client)

    assert len(hashes) == 2000
    assert cursor > 0


def test_it_refuses_the_export_without_a_key(submitter):
    assert submitter.get("/api/v1/export").status_code == 401


def test_it_exports_each_hash_as_the_feed_shows_it(partner_client):
    actions.submit_case("minor", [HashInput(0, "image", "photo_md5", md5("same"))])

    _, hashes = export(partner_client)
    feed = partner_client.get("/api/v1/feed").json()["events"]

    assert hashes == [feed[0]["hash"]]
