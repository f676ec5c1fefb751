"""Partners pull every published hash, in order, with their API key only."""

import hashlib

import pytest

from registry import actions
from registry.actions import HashInput
from registry.models import Partner

pytestmark = pytest.mark.django_db


def make_case(*values, category="adult"):
    hashes = [HashInput(i, "image", "photo_md5", v) for i, v in enumerate(values)]
    return actions.submit_case(category, hashes).case


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def test_it_gives_a_partner_the_published_hashes_in_order(partner_client):
    first = make_case(md5("a"), md5("b"), category="minor")
    make_case(md5("c"))

    body = partner_client.get("/api/v1/feed").json()

    assert [e["hash"]["value"] for e in body["events"]] == [md5("a"), md5("b"), md5("c")]
    seqs = [e["seq"] for e in body["events"]]
    assert seqs == sorted(seqs)
    event = body["events"][0]
    assert event["action"] == "add"
    assert event["hash"] == {
        "id": first.signals.first().id,
        "signal_type": "photo_md5",
        "value": md5("a"),
        "quality": None,
        "media_type": "image",
        "category": "minor",
        "created": first.created_on.isoformat(),
    }
    assert body["next"] == seqs[-1]
    assert body["has_more"] is False


def test_it_pages_from_a_cursor(partner_client):
    make_case(*(md5(str(i)) for i in range(5)))

    first = partner_client.get("/api/v1/feed", {"limit": 2}).json()
    second = partner_client.get("/api/v1/feed", {"after": first["next"], "limit": 2}).json()
    rest = partner_client.get("/api/v1/feed", {"after": second["next"]}).json()

    values = [e["hash"]["value"] for page in (first, second, rest) for e in page["events"]]
    assert values == [md5(str(i)) for i in range(5)]
    assert first["has_more"] and second["has_more"] and not rest["has_more"]
    assert partner_client.get("/api/v1/feed", {"after": rest["next"]}).json()["events"] == []


def test_it_reads_a_page_in_a_bounded_number_of_queries(
    partner_client, django_assert_max_num_queries
):
    for i in range(30):
        make_case(md5(f"x{i}"), md5(f"y{i}"))

    with django_assert_max_num_queries(2):  # the partner, then the page with its hashes
        body = partner_client.get("/api/v1/feed", {"limit": 50}).json()
    assert len(body["events"]) == 50


@pytest.mark.parametrize("limit", ["0", "1001", "many"])
def test_it_refuses_a_bad_limit(partner_client, limit):
    response = partner_client.get("/api/v1/feed", {"limit": limit})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_it_refuses_a_request_without_a_key(submitter):
    response = submitter.get("/api/v1/feed")

    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_it_refuses_a_key_it_never_issued(stranger):
    response = stranger.get("/api/v1/feed")

    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


def test_it_refuses_a_disabled_partner(partner, partner_client):
    Partner.objects.filter(pk=partner.pk).update(is_active=False)

    assert partner_client.get("/api/v1/feed").status_code == 401


def test_it_refuses_a_key_without_the_feed_scope(submitter):
    _, key = actions.create_partner("Matcher Only", ["match"])
    submitter.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = submitter.get("/api/v1/feed")

    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
