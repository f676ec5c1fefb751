"""The staff dashboard: submissions per day, active hashes by type, what waits for review, and
how far each partner lags behind the feed. Charts are plain SVG drawn here (no script, no CDN)."""

import datetime

from django.contrib import admin
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone

from portal.observability import events_after
from registry.models import Case, Partner, Signal, Verdict

DAYS = 30
BAR_WIDTH = 14
CHART_HEIGHT = 120


def _bars(rows: list[tuple[str, int]]) -> dict:
    """Bar geometry for a chart of (label, value) rows, scaled to the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(rows):
        height = round(value / top * CHART_HEIGHT)
        bars.append(
            {
                "label": label,
                "value": value,
                "x": i * (BAR_WIDTH + 4),
                "y": CHART_HEIGHT - height,
                "height": height,
            }
        )
    return {"bars": bars, "width": len(rows) * (BAR_WIDTH + 4), "height": CHART_HEIGHT, "top": top}


def dashboard(request):
    today = timezone.now().date()
    first = today - datetime.timedelta(days=DAYS - 1)
    per_day = dict(
        Case.objects.filter(created_on__gte=first)
        .values_list("created_on")
        .annotate(n=Count("id"))
        .values_list("created_on", "n")
    )
    days = [first + datetime.timedelta(days=i) for i in range(DAYS)]
    active = dict(
        Signal.objects.filter(status=Signal.Status.ACTIVE)
        .values_list("signal_type")
        .annotate(n=Count("id"))
        .values_list("signal_type", "n")
    )
    by_status = dict(
        Signal.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    disputed = (
        Verdict.objects.filter(verdict=Verdict.Kind.NOT_VIOLATING)
        .exclude(signal__status__in=[Signal.Status.WITHDRAWN, Signal.Status.REJECTED])
        .values("signal")
        .distinct()
        .count()
    )
    partners = []
    for partner in (
        Partner.objects.filter(is_active=True).select_related("webhook").order_by("name")
    ):
        endpoint = getattr(partner, "webhook", None)
        partners.append(
            {
                "name": partner.name,
                "pull_lag": events_after(partner.feed_position),
                "push_lag": events_after(endpoint.delivered_seq) if endpoint else None,
                "push_disabled": bool(endpoint and endpoint.disabled_at),
            }
        )
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "submissions": _bars([(day.strftime("%d %b"), per_day.get(day, 0)) for day in days]),
        "active": _bars(
            [(label, active.get(value, 0)) for value, label in Signal.SignalType.choices]
        ),
        "pending": by_status.get(Signal.Status.PENDING, 0),
        "quarantined": by_status.get(Signal.Status.QUARANTINED, 0),
        "disputed": disputed,
        "partners": partners,
    }
    return TemplateResponse(request, "admin/registry/dashboard.html", context)
