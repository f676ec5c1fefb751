"""A partner sees its webhook's health and recent attempts, sends itself a signed test message,
and rotates its secret through the API, with the `webhook:manage` scope only."""

import hashlib

import pytest
from standardwebhooks import Webhook
from webhook_receiver import Receiver

from registry import actions, webhook_actions, webhooks
from registry.actions import HashInput
from registry.models import AuditEntry, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    with Receiver() as running:
        yield running


@pytest.fixture
def console(make_partner, receiver):
    """A partner allowed to manage its webhook, which points at the receiver."""
    partner, client = make_partner("Console", scopes=["feed:read", "webhook:manage"])
    endpoint, secret = webhook_actions.set_webhook(partner, receiver.url("/hook"))
    receiver.secrets["/hook"] = [secret]
    return client, endpoint, secret


def submit(n):
    value = hashlib.md5(f"console {n}".encode()).hexdigest()
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", value)])


def test_it_shows_health_and_recent_attempts(console):
    client, endpoint, secret = console
    submit(1)
    webhooks.deliver(endpoint.pk)

    health = client.get("/api/v1/webhook").json()

    assert health["enabled"] is True
    assert health["delivered_seq"] == health["feed_seq"] > 0
    assert health["recent_attempts"][0]["status_code"] == 200
    assert secret not in str(health)


def test_a_test_message_is_signed_and_moves_nothing(console, receiver):
    client, endpoint, _ = console
    submit(1)

    answer = client.post("/api/v1/webhook/test").json()

    assert answer["delivered"] is True and answer["status_code"] == 200
    (delivery,) = receiver.deliveries
    assert delivery.verified
    assert delivery.payload["type"] == "webhook.test"
    assert delivery.headers["webhook-id"] == answer["webhook_id"]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).delivered_seq == 0


def test_rotating_the_secret_signs_with_both_until_the_overlap_ends(console, receiver):
    client, endpoint, old = console

    response = client.post("/api/v1/webhook/secret")
    submit(1)
    webhooks.deliver(endpoint.pk)

    new = response.json()["secret"]
    assert response.status_code == 200 and new.startswith("whsec_") and new != old
    (delivery,) = receiver.deliveries
    Webhook(old).verify(delivery.body, delivery.headers)
    Webhook(new).verify(delivery.body, delivery.headers)
    assert AuditEntry.objects.filter(
        action="rotate_webhook_secret", actor="partner:Console"
    ).exists()
    assert client.get("/api/v1/webhook").json()["previous_secret_valid_until"] is not None


def test_it_needs_the_webhook_scope(make_partner, receiver):
    partner, client = make_partner("Reader", scopes=["feed:read"])
    webhook_actions.set_webhook(partner, receiver.url())

    assert client.get("/api/v1/webhook").status_code == 403
    assert client.post("/api/v1/webhook/secret").status_code == 403
    assert client.post("/api/v1/webhook/test").status_code == 403


def test_a_partner_without_a_webhook_gets_404(make_partner):
    _, client = make_partner("No hook", scopes=["webhook:manage"])

    assert client.get("/api/v1/webhook").status_code == 404
    assert client.post("/api/v1/webhook/test").status_code == 404
