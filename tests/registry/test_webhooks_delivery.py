"""Partners with a webhook receive every feed event, signed, in feed order and in batches of at
most 100; failures are retried on the spec's schedule kept in the database, 410 disables, redirects
are not followed, Retry-After is honoured, and 5 days of failure disable the endpoint until staff
re-enable it, which replays everything the partner missed (reliability.md R1-R5, R14)."""

import hashlib
import itertools
import logging
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from webhook_receiver import Receiver

from registry import actions, tasks, webhook_actions, webhooks
from registry.actions import HashInput
from registry.models import AuditEntry, DeliveryAttempt, FeedEvent, WebhookEndpoint

pytestmark = pytest.mark.django_db

SPEC_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    with Receiver() as running:
        yield running


def hook(make_partner, receiver, name="Platform", path="/hook"):
    partner, client = make_partner(name)
    endpoint, secret = webhook_actions.set_webhook(partner, receiver.url(path))
    receiver.secrets[path] = [secret]
    return endpoint, client


def submit(count, start=0):
    cases = []
    for n in range(start, start + count):
        value = hashlib.md5(f"webhook {n}".encode()).hexdigest()
        cases.append(actions.submit_case("adult", [HashInput(0, "image", "photo_md5", value)]).case)
    return cases


def reload(endpoint):
    return WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_it_delivers_the_pull_feeds_events_in_order_in_batches_of_at_most_100(
    make_partner, receiver
):
    endpoint, client = hook(make_partner, receiver)
    cases = submit(130)
    for case in cases[:10]:
        actions.withdraw_case(case)

    delivered = webhooks.deliver(endpoint.pk)

    pulled = client.get("/api/v1/feed", {"limit": 1000}).json()["events"]
    got = receiver.accepted()
    assert delivered == 2
    assert [len(d.events) for d in got] == [100, 40]
    assert [e for d in got for e in d.events] == pulled
    assert all(d.verified for d in receiver.deliveries)
    assert [e["action"] for e in pulled[-10:]] == ["remove"] * 10
    assert reload(endpoint).delivered_seq == pulled[-1]["seq"]
    assert list(DeliveryAttempt.objects.values_list("status_code", flat=True)) == [200, 200]


def test_a_retry_keeps_its_id_and_gets_a_new_timestamp_and_signature(make_partner, receiver):
    endpoint, _ = hook(make_partner, receiver)
    submit(3)
    receiver.mode = "fail"
    now = timezone.now()

    webhooks.deliver(endpoint.pk, now=now)
    webhooks.deliver(endpoint.pk, now=now + timedelta(seconds=6))

    first, second = receiver.deliveries
    assert first.verified and second.verified
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.headers["webhook-timestamp"] != second.headers["webhook-timestamp"]
    assert first.headers["webhook-signature"] != second.headers["webhook-signature"]
    assert first.body == second.body


def test_it_retries_ten_times_over_about_75_hours_on_the_spec_schedule(make_partner, receiver):
    endpoint, _ = hook(make_partner, receiver)
    submit(1)
    receiver.mode = "fail"
    now = timezone.now()

    for _ in range(10):
        assert webhooks.deliver(endpoint.pk, now=now) == 0
        now = reload(endpoint).next_attempt_at
        # Nothing is sent before the next attempt is due.
        webhooks.deliver(endpoint.pk, now=now - timedelta(seconds=1))

    times = list(
        DeliveryAttempt.objects.order_by("attempted_at").values_list("attempted_at", flat=True)
    )
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert len(receiver.deliveries) == 10
    for gap, planned in zip(gaps, SPEC_DELAYS, strict=True):
        assert planned * 0.9 <= gap <= planned * 1.1
    hours = (times[-1] - times[0]).total_seconds() / 3600
    assert 75.6 * 0.8 <= hours <= 75.6 * 1.2
    assert len({d.headers["webhook-id"] for d in receiver.deliveries}) == 1
    assert reload(endpoint).disabled_at is None


def test_410_gone_disables_the_endpoint(make_partner, receiver):
    endpoint, _ = hook(make_partner, receiver)
    submit(2)
    receiver.mode = (410, {})

    webhooks.deliver(endpoint.pk)
    webhooks.deliver(endpoint.pk, now=timezone.now() + timedelta(days=1))

    assert reload(endpoint).disabled_at is not None
    assert len(receiver.deliveries) == 1
    assert AuditEntry.objects.filter(action="disable_webhook", reason="410 Gone").exists()
    assert webhooks.due_endpoints(timezone.now() + timedelta(days=1)) == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_it_never_follows_a_redirect(make_partner, receiver, status):
    endpoint, _ = hook(make_partner, receiver)
    submit(2)
    with Receiver() as elsewhere:
        receiver.mode = (status, {"Location": elsewhere.url("/stolen")})

        webhooks.deliver(endpoint.pk)

        assert elsewhere.deliveries == []
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status_code, attempt.error) == (status, "redirect")
    assert reload(endpoint).delivered_seq == 0


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_it_honours_retry_after_when_throttled(make_partner, receiver, status):
    endpoint, _ = hook(make_partner, receiver)
    submit(1)
    receiver.mode = (status, {"Retry-After": "120"})
    now = timezone.now()

    webhooks.deliver(endpoint.pk, now=now)
    webhooks.deliver(endpoint.pk, now=now + timedelta(seconds=60))

    waited = (reload(endpoint).next_attempt_at - now).total_seconds()
    assert 120 <= waited <= 121
    assert len(receiver.deliveries) == 1


def test_a_500s_retry_after_does_not_stretch_the_schedule(make_partner, receiver):
    endpoint, _ = hook(make_partner, receiver)
    submit(1)
    receiver.mode = (500, {"Retry-After": "3600"})
    now = timezone.now()

    webhooks.deliver(endpoint.pk, now=now)

    assert (reload(endpoint).next_attempt_at - now).total_seconds() <= 5.5


def test_five_days_of_failure_disable_it_and_re_enabling_replays_everything_missed(
    make_partner, receiver, mailoutbox, caplog, django_capture_on_commit_callbacks, settings
):
    settings.ADMINS = ["ops@example.org"]
    endpoint, client = hook(make_partner, receiver)
    submit(5)
    receiver.mode = "fail"
    started = now = timezone.now()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        while reload(endpoint).disabled_at is None:
            # Bound the attempts themselves (the time planned after the disabling one is moot,
            # and with jitter it can pass 7 days).
            assert now - started < timedelta(days=7)
            webhooks.deliver(endpoint.pk, now=now)
            now = reload(endpoint).next_attempt_at
    disabled = reload(endpoint)
    failing_for = disabled.disabled_at - started
    submit(3, start=5)  # while it is disabled

    assert timedelta(days=5) <= failing_for < timedelta(days=6)
    assert AuditEntry.objects.filter(action="disable_webhook", object_ids=[endpoint.pk]).exists()
    assert len(mailoutbox) == 1 and "Platform" in mailoutbox[0].subject
    assert any("disabled" in r.message for r in caplog.records if r.levelno == logging.WARNING)
    assert webhooks.due_endpoints(now + timedelta(days=1)) == []

    receiver.mode = "ok"
    webhook_actions.enable_webhook(disabled, actor="staff:admin")
    webhooks.deliver(endpoint.pk)

    pulled = client.get("/api/v1/feed", {"limit": 1000}).json()["events"]
    got = [e for d in receiver.accepted() for e in d.events]
    assert got == pulled and len(got) == 8  # 0 missing
    assert all(d.verified for d in receiver.accepted())


def test_the_sweeper_finds_only_endpoints_that_are_behind_due_enabled_and_free(
    make_partner, receiver
):
    behind, _ = hook(make_partner, receiver, "Behind", "/behind")
    later, _ = hook(make_partner, receiver, "Later", "/later")
    held, _ = hook(make_partner, receiver, "Held", "/held")
    off, _ = hook(make_partner, receiver, "Off", "/off")
    submit(1)
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(minutes=5))
    WebhookEndpoint.objects.filter(pk=held.pk).update(lease_until=now + timedelta(seconds=30))
    webhook_actions.disable_webhook(off, "test")

    assert webhooks.due_endpoints(now) == [behind.pk]
    assert set(webhooks.due_endpoints(now + timedelta(minutes=6))) == {behind.pk, later.pk, held.pk}


@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_run_five_times_at_once_delivers_exactly_one_batch(
    make_partner, receiver
):
    endpoint, _ = hook(make_partner, receiver)
    submit(20)
    receiver.mode = "hold"
    receiver.hold_seconds = 0.5
    start = threading.Barrier(5)
    results = []

    def run():
        start.wait()
        try:
            results.append(tasks.deliver_webhook(endpoint.pk))
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=run) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 0, 0, 1]
    assert len(receiver.deliveries) == 1
    assert DeliveryAttempt.objects.count() == 1
    assert reload(endpoint).delivered_seq == FeedEvent.objects.order_by("-seq").first().seq
