"""Webhook URLs cannot point the registry at itself or its network: loopback, private, link-local
(cloud metadata) and other internal addresses are refused after DNS resolution, at registration
and again at send time, and a listener on 127.0.0.1 sees no connection at all (reliability.md R7)."""

import hashlib
import ipaddress
import socket
import threading

import pytest

from portal import http
from registry import actions, webhook_actions, webhooks
from registry.actions import ActionRefused, HashInput
from registry.models import DeliveryAttempt, WebhookEndpoint


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


@pytest.fixture
def fake_dns(monkeypatch):
    """Names that resolve where a hostile partner would point them."""
    names = {
        "metadata.partner.example": ["169.254.169.254"],
        "intranet.partner.example": ["10.1.2.3"],
        "mixed.partner.example": ["93.184.216.34", "192.168.0.10"],
        "home.partner.example": ["127.0.0.1"],
    }
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in names[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


INTERNAL_HOSTS = [
    "127.0.0.1", "127.9.9.9", "localhost", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "[::]",  # noqa: S104
    "10.0.0.5", "172.16.3.4", "192.168.1.1", "100.64.0.1", "169.254.169.254", "[fe80::1]",
    "[fd00::1]", "224.0.0.1", "240.0.0.1", "metadata.partner.example", "intranet.partner.example",
    "mixed.partner.example", "home.partner.example",
]  # fmt: skip


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_it_refuses_internal_addresses_and_names_that_resolve_to_them(host, listener, fake_dns):
    port, accepted = listener

    with pytest.raises(http.Refused):
        http.post(f"http://{host}:{port}/hook", b"{}", {})

    assert accepted == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://127.0.0.1/", "ftp://example.org/", "http:///nohost"]
)
def test_it_refuses_other_schemes_and_broken_urls(url):
    with pytest.raises(http.Refused):
        http.check_url(url)


def test_it_allows_public_addresses():
    for address in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"]:
        assert http.is_allowed_address(ipaddress.ip_address(address))


def test_it_reaches_loopback_only_when_explicitly_allowed(listener, settings):
    port, accepted = listener
    settings.WEBHOOK_ALLOW_LOOPBACK = True

    with pytest.raises(http.TransportError):  # the listener hangs up without answering
        http.post(f"http://127.0.0.1:{port}/hook", b"{}", {}, timeout=2)

    assert len(accepted) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://localhost:8000/", "https://10.0.0.1/"],
)
def test_staff_cannot_register_an_internal_webhook(make_partner, url):
    partner, _ = make_partner("Sneaky")

    with pytest.raises(ActionRefused):
        webhook_actions.set_webhook(partner, url)

    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_url_that_turns_internal_later_is_refused_at_send_time(make_partner, listener, settings):
    port, accepted = listener
    partner, _ = make_partner("Rebinding")
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    endpoint, _ = webhook_actions.set_webhook(partner, f"http://127.0.0.1:{port}/hook")
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    value = hashlib.md5(b"ssrf").hexdigest()
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", value)])

    webhooks.deliver(endpoint.pk)

    assert accepted == []
    assert DeliveryAttempt.objects.get().error == "refused"
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).delivered_seq == 0
