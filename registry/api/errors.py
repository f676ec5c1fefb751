"""Every API error is JSON: {"error": "<code>", "detail": ...}, never an HTML page."""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from rest_framework.views import exception_handler as drf_exception_handler

from registry.api.parsers import RequestTooLarge


def exception_handler(exc, context):
    """DRF's handler, with a stable `error` code beside DRF's `detail`."""
    if isinstance(exc, RequestDataTooBig):  # Django's own limit, when the body was read already
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": code, "detail": data["detail"]}
    else:
        response.data = {"error": code, "detail": data}
    return response


def not_found(request, exception=None):
    """404 for the whole site: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": "No such endpoint."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    """500 for the whole site: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "server_error", "detail": "Something went wrong on our side."}, status=500
        )
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)
