"""Per-client rate limits that never store an IP address.

A client is known only by an HMAC of its address under a random key that lives one day in Redis;
once the key expires nobody can tell which address a counter belonged to. Counting is one atomic
INCR per request (DRF's own throttles read-modify-write and race). If Redis is down the limit is
not enforced: a person's submission matters more than a counter.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
import time

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

log = logging.getLogger(__name__)
_KEY_TTL = 2 * 24 * 3600
_client: redis.Redis | None = None


def redis_client() -> redis.Redis:
    """One connection pool per process."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _client


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own trusted proxies added to
    X-Forwarded-For. Entries a client wrote itself are never believed."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _daily_key(conn: redis.Redis) -> bytes:
    day = datetime.datetime.now(datetime.UTC).date().isoformat()
    name = f"{settings.RATE_LIMIT_KEY_PREFIX}:key:{day}"
    conn.set(name, secrets.token_hex(32), nx=True, ex=_KEY_TTL)
    return conn.get(name) or b""


def client_digest(conn: redis.Redis, request) -> str:
    """An opaque name for the client, stable for a day."""
    address = client_address(request).encode()
    return hmac.new(_daily_key(conn), address, hashlib.sha256).hexdigest()[:32]


class RedisRateThrottle(BaseThrottle):
    """A fixed-window limit per client and scope; `scope` names an entry of RATE_LIMITS."""

    scope = ""

    def allow_request(self, request, view):
        limit, period = settings.RATE_LIMITS[self.scope]
        window = int(time.time() // period)
        self.retry_after = (window + 1) * period - time.time()
        conn = redis_client()
        try:
            name = f"{settings.RATE_LIMIT_KEY_PREFIX}:{self.scope}:{client_digest(conn, request)}:{window}"
            with conn.pipeline() as pipe:
                pipe.incr(name)
                pipe.expire(name, period + 1, nx=True)
                count, _ = pipe.execute()
        except redis.RedisError as exc:
            log.warning("rate limit not enforced: Redis unavailable (%s)", type(exc).__name__)
            return True
        return count <= limit

    def wait(self):
        return self.retry_after


class SubmitThrottle(RedisRateThrottle):
    scope = "submit"


class CaseAccessThrottle(RedisRateThrottle):
    scope = "case_access"
