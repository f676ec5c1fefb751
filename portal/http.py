"""The one way this project talks to other servers: a POST that cannot be turned against us.

Partners choose webhook URLs, so a URL is untrusted input. This wrapper takes http(s) only,
resolves the name itself and refuses it when any address it resolves to is loopback, private,
link-local (cloud metadata lives at 169.254.169.254), multicast, reserved or unspecified, then
connects to the very address it checked (no second lookup that DNS rebinding could change). It
never follows redirects, gives up after a timeout and reads at most a small part of the answer.
A lint rule (ruff TID251) bans the HTTP client modules everywhere else.

`settings.WEBHOOK_ALLOW_LOOPBACK` lets tests reach a receiver on 127.0.0.1; production refuses it.
"""

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings

MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "takedown-registry-webhooks/1"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL, or an address its name resolves to, is not one we may connect to."""


class TransportError(Exception):
    """The request did not get an answer: `kind` is timeout, reset, connect or protocol."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: the status, lower-cased headers and the first bytes of the body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    duration_ms: int = 0


def is_allowed_address(address: Address) -> bool:
    """Whether we may connect to this address: a public unicast one (or loopback when allowed)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https URLs are allowed.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username or parts.password:
        raise Refused("URLs with credentials are not allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("The URL's port is not a number between 0 and 65535.") from None
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port, path


def resolve(url: str) -> tuple[str, str, int, str, Address]:
    """Check a URL and resolve its host: (scheme, host, port, path, the address to connect to).

    Every address the name resolves to must be allowed, so a name with one public and one
    internal address is refused too.
    """
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"The host name {host!r} does not resolve.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"The host name {host!r} does not resolve.")
    for address in addresses:
        if not is_allowed_address(address):
            raise Refused(f"{host!r} resolves to an address we do not connect to.")
    return scheme, host, port, path, addresses[0]


def check_url(url: str) -> None:
    """Raise Refused when a URL may not be used as a webhook endpoint."""
    resolve(url)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address while sending the URL's host name."""

    def __init__(self, host: str, port: int, address: Address, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = str(address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for TLS, verifying the certificate against the URL's host name."""

    def __init__(self, host: str, port: int, address: Address, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = str(address)

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float | None = None) -> Answer:
    """POST a body; raise Refused for a forbidden URL and TransportError when nothing answered.

    Redirects are answers like any other (http.client never follows them).
    """
    timeout = timeout if timeout is not None else settings.WEBHOOK_TIMEOUT_SECONDS
    scheme, host, port, path, address = resolve(url)
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = kind(host, port, address, timeout)
    started = time.monotonic()
    all_headers = {
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "Connection": "close",
        **headers,
    }
    try:
        connection.request("POST", path, body=body, headers=all_headers)
        response = connection.getresponse()
        answer_body = response.read(MAX_ANSWER_BYTES)
        answer = Answer(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=answer_body,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    except TimeoutError as exc:
        raise TransportError("timeout", f"No answer within {timeout:g} s.") from exc
    except ConnectionResetError as exc:
        raise TransportError("reset", "The connection was reset.") from exc
    except (ConnectionError, OSError) as exc:
        if isinstance(exc, ssl.SSLError):
            raise TransportError("tls", f"TLS failed: {exc.__class__.__name__}.") from exc
        raise TransportError("connect", f"Could not connect: {exc.__class__.__name__}.") from exc
    except http.client.HTTPException as exc:
        raise TransportError("protocol", f"Bad HTTP answer: {exc.__class__.__name__}.") from exc
    finally:
        connection.close()
    return answer
