"""A partner's webhook endpoint on 127.0.0.1, for the webhook tests and the benchmark.

It verifies every delivery with the off-the-shelf `standardwebhooks` library (against the secrets
the test gives it per path), records what it got, and answers according to its current `mode`:
ok (200), fail (500), slow (answers nothing for `slow_seconds`, then hangs up), reset (TCP reset),
hold (signals `held`, waits `hold_seconds`, then 200), or a (status, headers) pair.
"""

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int | None  # the status we answered, None when we hung up or reset
    received_at: float = field(default_factory=time.monotonic)

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    @property
    def events(self) -> list[dict]:
        return self.payload["data"]["events"]


class Receiver:
    """Use as a context manager; `url(path)` is where to point a webhook."""

    def __init__(self, verify: bool = True):
        self.verify = verify
        self.secrets: dict[str, list[str]] = {}
        self.mode: object = "ok"
        self.slow_seconds = 3.0
        self.hold_seconds = 1.0
        self.held = threading.Event()
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _verified(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        if not self.verify:
            return True
        for secret in self.secrets.get(path, []):
            try:
                Webhook(secret).verify(body, headers)
                return True
            except WebhookVerificationError:
                continue
        return False

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        mode = self.mode
        delivery = Delivery(
            handler.path, headers, body, self._verified(handler.path, headers, body), None
        )
        if mode == "hold":
            self.held.set()
            time.sleep(self.hold_seconds)
        if mode == "slow":
            time.sleep(self.slow_seconds)
            self._record(delivery)
            handler.close_connection = True
            return
        if mode == "reset":
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            self._record(delivery)
            handler.close_connection = True
            handler.connection.close()
            return
        if mode in ("ok", "hold"):
            status, extra = 200, {}
        elif mode == "fail":
            status, extra = 500, {}
        else:
            status, extra = mode  # type: ignore[misc]
        delivery.answered = status
        self._record(delivery)
        answer = b'{"ok": true}' if status < 300 else b"nope"
        try:
            handler.send_response(status)
            for name, value in extra.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(answer)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(answer)
        except OSError:
            pass  # the sender died while we held its request
        handler.close_connection = True

    def _record(self, delivery: Delivery) -> None:
        with self.lock:
            self.deliveries.append(delivery)

    def accepted(self, path: str | None = None) -> list[Delivery]:
        """Deliveries we acknowledged with a 2xx (for `path` when given)."""
        with self.lock:
            return [
                d
                for d in self.deliveries
                if d.answered is not None
                and 200 <= d.answered < 300
                and (path is None or d.path == path)
            ]
