"""Personas and guards shared by every test.

- `submitter`: an anonymous person's API client (no cookies, no credentials).
- `partner` / `partner_key`: a platform with a real API key that may read the feed.
- `stranger`: a client with a key that the registry never issued.
- `staff`: a superuser's admin client, signed in with password and second factor;
  `make_staff(role)`: the same for a moderator or an administrator.
- `site`: the real site served on loopback over the test database.
The network is blocked except for loopback, so nothing in a test can reach the outside.
"""

import socket
import uuid

import pytest
from django.db import connections
from django.test.testcases import LiveServerThread
from rest_framework.test import APIClient

from registry import actions, matching

_real_connect = socket.socket.connect


def _loopback_only(sock, address):
    host = address[0] if isinstance(address, tuple) else address
    if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in (
        "127.0.0.1",
        "::1",
        "localhost",
    ):
        raise ConnectionRefusedError(f"tests may not reach {host}: loopback only")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings):
    """Each test counts requests under its own Redis prefix (counters expire by themselves)."""
    settings.RATE_LIMIT_KEY_PREFIX = f"test:{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _fresh_match_index():
    """The process's PDQ index follows the feed; each test's database starts anew, so must it."""
    matching.reset_current_index()
    yield
    matching.reset_current_index()


@pytest.fixture
def submitter():
    return APIClient()


@pytest.fixture
def make_partner(db):
    """Makes a partner and an API client that carries its key."""

    def make(name, scopes=("feed:read",)):
        partner, key = actions.create_partner(name, list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return partner, client

    return make


@pytest.fixture
def partner_and_key(db):
    return actions.create_partner("Example Platform", ["feed:read", "feedback", "match"])


@pytest.fixture
def partner(partner_and_key):
    return partner_and_key[0]


@pytest.fixture
def partner_key(partner_and_key):
    return partner_and_key[1]


@pytest.fixture
def partner_client(partner_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {partner_key}")
    return client


@pytest.fixture
def stranger():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer tdk_notIssuedByUs0000000000000000")
    return client


def _signed_in_with_second_factor(client, user):
    """Log the user in as if they had typed their password and a TOTP code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff(client, admin_user):
    """A superuser signed in with password and second factor."""
    return _signed_in_with_second_factor(client, admin_user)


@pytest.fixture
def make_staff(db, django_user_model):
    """Makes a signed-in staff client in a role: "Moderators" or "Administrators"."""
    from django.contrib.auth.models import Group
    from django.test import Client

    def make(role, username=None):
        user = django_user_model.objects.create_user(
            username or role.lower(), password="a long staff password 1", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return _signed_in_with_second_factor(Client(), user), user

    return make


def _full_stack(application):
    """No test static handler: WhiteNoise and the security middleware serve static files, as in
    production, so the page loads Pyodide exactly as it does there."""
    return application


@pytest.fixture
def site(transactional_db, settings):
    """The site's base URL, served by a thread over the test database."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    thread = LiveServerThread("127.0.0.1", static_handler=_full_stack)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    connections.close_all()


class PdqMaker:
    """Realistic PDQ hashes for tests: 256 bits with exactly 128 set, as real photos give."""

    def __init__(self, seed: int) -> None:
        import random

        self.rng = random.Random(seed)

    def random(self) -> str:
        return f"{sum(1 << b for b in self.rng.sample(range(256), 128)):064x}"

    def moved(self, value: str, bits: int) -> str:
        """The hash `bits` apart from `value` (an even number), still with 128 bits set."""
        number = int(value, 16)
        ones = [b for b in range(256) if number >> b & 1]
        zeros = [b for b in range(256) if not number >> b & 1]
        for one, zero in zip(
            self.rng.sample(ones, bits // 2), self.rng.sample(zeros, bits // 2), strict=True
        ):
            number ^= (1 << one) | (1 << zero)
        return f"{number:064x}"


@pytest.fixture
def pdq(request):
    """A PdqMaker seeded by the test's name, so each test's hashes are the same every run."""
    import zlib

    return PdqMaker(zlib.crc32(request.node.nodeid.encode()))
