"""Health, readiness and metrics for operators, with nothing personal in any of them."""

import hashlib

import pytest

from registry import actions
from registry.actions import HashInput

pytestmark = pytest.mark.django_db


def test_it_answers_liveness(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_it_is_ready_when_database_redis_and_broker_answer(client, partner):
    actions.submit_case(
        "adult", [HashInput(0, "image", "photo_md5", hashlib.md5(b"x").hexdigest())]
    )

    body = client.get("/readyz").json()

    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
    assert body["partner_lag_events"] == {partner.name: 1}


def test_it_is_not_ready_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "ConnectionError"


def test_it_counts_requests_submissions_and_feed_pulls(client, submitter, partner, partner_client):
    body = {"category": "adult", "items": [{"media_type": "image", "photo_md5": "cd" * 16}]}
    submitter.post("/api/v1/cases", body, format="json")
    partner_client.get("/api/v1/feed")

    text = client.get("/metrics").content.decode()

    assert 'registry_http_requests_total{method="POST",status="201",view="api:cases"}' in text
    assert "registry_submissions_total" in text
    assert "registry_feed_pulls_total" in text
    assert f'registry_partner_lag_events{{channel="pull",partner="{partner.name}"}} 1.0' in text
    assert "cd" * 16 not in text


def test_it_wants_the_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "metrics-secret"

    assert client.get("/metrics").status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer metrics-secret"})
    assert ok.status_code == 200
