"""Nothing personal is kept: no IP address, user agent, access code or API key in clear in the
database, the logs or Redis (reliability.md R10, R18, R22)."""

import io
import logging

import pytest
from django.core.management import call_command

from registry.api.throttles import redis_client

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.199"
FORWARDED = "198.51.100.201"
AGENT = "MarkerAgent/7.3 (privacy-test-f1e2d3)"


def test_it_keeps_no_address_agent_code_or_key_anywhere(
    submitter, partner_key, partner_client, settings, caplog
):
    settings.TRUSTED_PROXY_COUNT = 1
    caplog.set_level(logging.DEBUG)
    headers = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": FORWARDED, "HTTP_USER_AGENT": AGENT}
    body = {"category": "minor", "items": [{"media_type": "image", "photo_md5": "ab" * 16}]}
    created = submitter.post("/api/v1/cases", body, format="json", **headers).json()
    access = {"case_number": created["case_number"], "access_code": created["access_code"]}
    submitter.post("/api/v1/cases/status", access, format="json", **headers)
    submitter.post(
        "/api/v1/cases/status", {**access, "access_code": "X" * 26}, format="json", **headers
    )
    submitter.post("/api/v1/cases", {"category": "bad"}, format="json", **headers)
    partner_client.get("/api/v1/feed", **headers)

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    conn = redis_client()
    names = list(conn.scan_iter(f"{settings.RATE_LIMIT_KEY_PREFIX}:*"))
    stored = "\n".join(
        [dump.getvalue(), caplog.text]
        + [name.decode() + " " + (conn.get(name) or b"").decode(errors="replace") for name in names]
    )

    assert names  # the limits did count this client
    for secret in (ADDRESS, FORWARDED, AGENT, created["access_code"], partner_key):
        assert secret not in stored
    code = created["access_code"].replace("-", "")
    assert code not in stored
