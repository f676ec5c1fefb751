"""Anonymous clients are limited per client, atomically, without any IP address being stored."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import RequestFactory

from registry.api.throttles import SubmitThrottle, client_address, redis_client

pytestmark = pytest.mark.django_db

MARKER_ADDRESS = "198.51.100.77"


def test_it_allows_exactly_the_limit_under_concurrency(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (600, 3600)}
    request = RequestFactory().post("/api/v1/cases", REMOTE_ADDR=MARKER_ADDRESS)

    def attempt(_):
        return SubmitThrottle().allow_request(request, None)

    with ThreadPoolExecutor(max_workers=16) as pool:
        allowed = sum(pool.map(attempt, range(1000)))

    assert allowed == 600


def test_it_ignores_a_forwarded_address_from_a_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_address(request) == "192.0.2.1"


def test_it_believes_only_what_our_own_proxy_added(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.1"
    )

    assert client_address(spoofed) == "192.0.2.1"


def test_it_answers_429_past_the_limit(submitter, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (2, 3600)}
    body = {"category": "adult", "items": [{"media_type": "image", "photo_md5": "a" * 32}]}

    codes = [submitter.post("/api/v1/cases", body, format="json").status_code for _ in range(3)]

    assert codes == [201, 201, 429]


def test_it_keeps_no_address_in_redis(submitter, settings):
    body = {"category": "adult", "items": [{"media_type": "image", "photo_md5": "b" * 32}]}
    submitter.post("/api/v1/cases", body, format="json", REMOTE_ADDR=MARKER_ADDRESS)
    conn = redis_client()

    names = list(conn.scan_iter(f"{settings.RATE_LIMIT_KEY_PREFIX}:*"))
    values = [conn.get(name) or b"" for name in names]

    assert names
    assert not any(MARKER_ADDRESS.encode() in item for item in names + values)


def test_it_lets_submissions_through_when_redis_is_down(submitter, settings, monkeypatch):
    import registry.api.throttles as throttles

    monkeypatch.setattr(throttles, "_client", None)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = {"category": "adult", "items": [{"media_type": "image", "photo_md5": "c" * 32}]}

    assert submitter.post("/api/v1/cases", body, format="json").status_code == 201
    monkeypatch.setattr(throttles, "_client", None)
