"""A person comes back with only the case number and access code: status, more files, withdraw."""

import hashlib

import pytest

from registry import actions, queries
from registry.actions import HashInput
from registry.models import Case, FeedEvent, Signal

pytestmark = pytest.mark.django_db


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture
def opened(submitter):
    """A case opened through the API: (number, code)."""
    body = submitter.post(
        "/api/v1/cases",
        {"category": "minor", "items": [{"media_type": "image", "photo_md5": md5("one")}]},
        format="json",
    ).json()
    return body["case_number"], body["access_code"]


def post(client, path, body):
    return client.post(f"/api/v1/cases/{path}", body, format="json")


def test_it_shows_the_status_of_a_case(submitter, opened, partner, partner_client):
    number, code = opened
    partner_client.get("/api/v1/feed", {"after": FeedEvent.objects.last().seq})

    body = post(submitter, "status", {"case_number": number, "access_code": code}).json()

    assert body["case_number"] == number
    assert body["status"] == "active"
    assert body["files"] == 1
    assert body["hashes"]["active"] == 1
    assert body["partners_received"] == 1
    assert body["partners_total"] == 1
    assert body["verdicts"] == {"removed": 0, "pending_review": 0, "not_violating": 0}


def test_it_accepts_the_code_as_a_person_might_type_it(submitter, opened):
    number, code = opened
    typed = code.lower().replace("-", " ")

    response = post(submitter, "status", {"case_number": number.lower(), "access_code": typed})

    assert response.status_code == 200


def test_it_answers_a_wrong_number_and_a_wrong_code_identically(submitter, opened):
    number, code = opened
    wrong_code = post(submitter, "status", {"case_number": number, "access_code": "A" * 26})
    wrong_number = post(submitter, "status", {"case_number": "ZZZZ-ZZZZ-ZZZZ", "access_code": code})

    assert wrong_code.status_code == wrong_number.status_code == 404
    assert wrong_code.content == wrong_number.content
    assert dict(wrong_code.headers) == dict(wrong_number.headers)


def test_it_finds_no_case_by_guessing(opened):
    number, _ = opened

    hits = [queries.find_case(number, f"{i:026d}") for i in range(10_000)]

    assert hits.count(None) == 10_000


def test_it_adds_files_to_a_case_and_publishes_them(submitter, opened, partner_client):
    number, code = opened
    response = post(
        submitter,
        "items",
        {
            "case_number": number,
            "access_code": code,
            "items": [{"media_type": "video", "video_md5": md5("two")}],
        },
    )

    assert response.status_code == 200
    assert response.json()["files"] == 2
    case = Case.objects.get(number=number)
    assert list(case.signals.values_list("item", "value")) == [(0, md5("one")), (1, md5("two"))]
    feed = partner_client.get("/api/v1/feed").json()["events"]
    assert [e["hash"]["value"] for e in feed] == [md5("one"), md5("two")]


def test_it_refuses_a_hash_the_case_holds_already(submitter, opened):
    number, code = opened
    item = {"media_type": "image", "photo_md5": md5("one")}

    response = post(
        submitter, "items", {"case_number": number, "access_code": code, "items": [item]}
    )

    assert response.status_code == 409
    assert "repeats a hash" in response.json()["detail"]
    assert Signal.objects.count() == 1


def test_it_refuses_more_than_50_files_in_a_case(submitter):
    first = [HashInput(i, "image", "photo_md5", md5(f"a{i}")) for i in range(50)]
    created = actions.submit_case("adult", first)
    item = {"media_type": "image", "photo_md5": md5("b")}

    response = post(
        submitter,
        "items",
        {"case_number": created.case.number, "access_code": created.access_code, "items": [item]},
    )

    assert response.status_code == 409
    assert "at most 50" in response.json()["detail"]


def test_it_withdraws_a_case_and_tells_partners(submitter, opened, partner_client):
    number, code = opened

    response = post(submitter, "withdraw", {"case_number": number, "access_code": code})

    assert response.json() == {"case_number": number, "status": "withdrawn", "removed_from_feed": 1}
    signal = Signal.objects.get()
    assert signal.status == "withdrawn"
    events = partner_client.get("/api/v1/feed").json()["events"]
    assert [e["action"] for e in events] == ["add", "remove"]
    assert events[1]["hash"]["id"] == signal.id
    again = post(submitter, "withdraw", {"case_number": number, "access_code": code})
    assert again.json()["removed_from_feed"] == 0
    refused = post(
        submitter,
        "items",
        {
            "case_number": number,
            "access_code": code,
            "items": [{"media_type": "image", "photo_md5": md5("x")}],
        },
    )
    assert refused.status_code == 409


def test_it_never_takes_the_secrets_in_the_url(submitter, opened):
    number, code = opened

    response = submitter.get("/api/v1/cases/status", {"case_number": number, "access_code": code})

    assert response.status_code == 405
