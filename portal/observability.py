"""Health, readiness and Prometheus metrics, none of which carries personal data.

- /healthz: the process answers (liveness).
- /readyz: the database, Redis and the Celery broker answer, and how far partners lag behind the
  feed (readiness; 503 when a dependency is down).
- /metrics: Prometheus text format. Counters and histograms are updated where things happen
  (requests here, submissions, feed pulls and deliveries where those are handled) and gauges that
  describe the registry (queue depth, per-partner lag) are read from the database at scrape time.
  Under gunicorn, set PROMETHEUS_MULTIPROC_DIR so every worker's counts are summed.
  When METRICS_TOKEN is set, /metrics wants `Authorization: Bearer <token>`.

Labels never hold an address, a user agent, a path with identifiers or a hash value: requests are
labelled by the matched URL pattern's name, not by the path.
"""

import hmac
import logging
import os
import time

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

REQUESTS = Counter("registry_http_requests_total", "HTTP requests", ["view", "method", "status"])
REQUEST_SECONDS = Histogram(
    "registry_http_request_seconds", "HTTP request duration", ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
SUBMISSIONS = Counter("registry_submissions_total", "Cases opened and files added", ["kind"])
FEED_PULLS = Counter("registry_feed_pulls_total", "Feed pages served to partners")
DELIVERIES = Counter("registry_webhook_deliveries_total", "Webhook delivery attempts", ["outcome"])
DELIVERY_SECONDS = Histogram(
    "registry_webhook_delivery_seconds", "Webhook delivery duration",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
)  # fmt: skip


class RequestMetricsMiddleware:
    """Counts requests by URL pattern name, method and status, and times them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or (
            "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"
        )
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - started)
        return response


class RegistryCollector:
    """Gauges read at scrape time: queue depth and how far each partner lags behind the feed."""

    def collect(self):
        from registry.models import FeedEvent, Partner

        head = FeedEvent.objects.aggregate(seq=Max("seq"))["seq"] or 0
        yield GaugeMetricFamily("registry_feed_head_seq", "Newest feed position", value=head)
        lag = GaugeMetricFamily(
            "registry_partner_lag_events",
            "Feed events a partner has not confirmed",
            labels=["partner", "channel"],
        )
        for partner in Partner.objects.filter(is_active=True).select_related("webhook"):
            lag.add_metric([partner.name, "pull"], events_after(partner.feed_position))
            endpoint = getattr(partner, "webhook", None)
            if endpoint is not None and endpoint.disabled_at is None:
                lag.add_metric([partner.name, "push"], events_after(endpoint.delivered_seq))
        yield lag
        depth = GaugeMetricFamily("registry_celery_queue_depth", "Tasks waiting in the broker")
        depth.add_metric([], _queue_depth())
        yield depth


def events_after(position: int) -> int:
    """Feed events after a position (sequence numbers have gaps, so count rather than subtract)."""
    from registry.models import FeedEvent

    return FeedEvent.objects.filter(seq__gt=position).count()


def _queue_depth() -> float:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return float("nan")
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=0.5)
        return float(client.llen("celery"))
    except redis.RedisError:
        return float("nan")


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return True
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


def metrics(request):
    """Prometheus's scrape endpoint."""
    if not _authorised(request):
        return HttpResponse(status=401)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry)
    output += generate_latest(_registry_gauges)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


_registry_gauges = CollectorRegistry()
_registry_gauges.register(RegistryCollector())


def healthz(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: every dependency answers; partners' lag is reported, not judged."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means not ready
        checks["database"] = type(exc).__name__
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
        checks["redis"] = "ok"
    except redis.RedisError as exc:
        checks["redis"] = type(exc).__name__
    checks["broker"] = _broker_status()
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    if checks["database"] == "ok":
        body["partner_lag_events"] = _partner_lag()
    return JsonResponse(body, status=200 if ready else 503)


def _broker_status() -> str:
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception as exc:  # kombu raises transport-specific errors
        return type(exc).__name__


def _partner_lag() -> dict[str, int]:
    from registry.models import Partner

    partners = Partner.objects.filter(is_active=True).values_list("name", "feed_position")
    return {name: events_after(position) for name, position in partners}
