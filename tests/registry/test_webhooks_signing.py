"""Webhook signatures follow Standard Webhooks exactly, so partners verify them with the
off-the-shelf library, and a secret rotation keeps both secrets valid for the overlap
(reliability.md R1, R2, R6)."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from registry import webhook_actions, webhooks
from registry.models import WebhookEndpoint

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_it_reproduces_the_spec_vector_exactly():
    assert webhooks.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_it_signs_what_the_reference_library_signs():
    at = datetime.fromtimestamp(SPEC_TIMESTAMP, tz=UTC)
    assert Webhook(SPEC_SECRET).sign(SPEC_ID, at, SPEC_BODY.decode()) == SPEC_SIGNATURE


def test_it_makes_secrets_of_32_random_bytes_each_different():
    made = {webhook_actions.new_secret() for _ in range(100)}

    assert len(made) == 100
    for secret in made:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def _endpoint(secret=SPEC_SECRET, previous="", until=None):
    return WebhookEndpoint(secret=secret, previous_secret=previous, previous_secret_until=until)


def test_it_is_accepted_up_to_300_seconds_of_skew_and_refused_beyond():
    now = timezone.now()
    endpoint = _endpoint()
    verifier = Webhook(SPEC_SECRET)

    verifier.verify(
        SPEC_BODY, webhooks.headers(endpoint, SPEC_ID, SPEC_BODY, now - timedelta(seconds=299))
    )
    with pytest.raises(WebhookVerificationError):
        verifier.verify(
            SPEC_BODY, webhooks.headers(endpoint, SPEC_ID, SPEC_BODY, now - timedelta(seconds=302))
        )


def test_it_signs_with_both_secrets_during_a_rotation_and_only_the_new_one_after():
    old, new = webhook_actions.new_secret(), webhook_actions.new_secret()
    now = timezone.now()
    endpoint = _endpoint(secret=new, previous=old, until=now + timedelta(hours=24))

    during = webhooks.headers(endpoint, SPEC_ID, SPEC_BODY, now)
    after = webhooks.headers(endpoint, SPEC_ID, SPEC_BODY, now + timedelta(hours=24, seconds=1))

    assert len(during["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(SPEC_BODY, during)
    Webhook(new).verify(SPEC_BODY, during)
    assert len(after["webhook-signature"].split(" ")) == 1
    # The library checks the timestamp against the real clock: re-sign `after`'s secrets now.
    after_now = webhooks.headers(
        _endpoint(secret=new, previous=old, until=now - timedelta(seconds=1)),
        SPEC_ID,
        SPEC_BODY,
        now,
    )
    Webhook(new).verify(SPEC_BODY, after_now)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(SPEC_BODY, after_now)


def test_a_tampered_body_does_not_verify():
    headers = webhooks.headers(_endpoint(), SPEC_ID, SPEC_BODY, timezone.now())

    with pytest.raises(WebhookVerificationError):
        Webhook(SPEC_SECRET).verify(b'{"test": 2432232315}', headers)
