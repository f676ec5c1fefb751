"""The public pages. They hold no personal data: hashing happens in the browser, and the case
number and access code travel only in the JSON bodies the pages' scripts send to the API."""

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_http_methods, require_safe

from registry import queries


def _hashing_context() -> dict:
    """Where the hashing worker finds Pyodide and the hashing_wasm wheel."""
    pyodide_dir = static(f"pyodide/{settings.PYODIDE_VERSION}/")
    return {"pyodide_index_url": pyodide_dir, "pyodide_lock_url": f"{pyodide_dir}pyodide-lock.json"}


@require_safe
def landing(request):
    return render(request, "portal/landing.html")


@require_safe
def get_started(request):
    return render(request, "portal/get_started.html", _hashing_context())


@require_http_methods(["GET", "HEAD", "POST"])
def case(request):
    """The case page. Its form is handled by its script, which posts to the API; the form's own
    POST (only when the script could not run) is answered with the page and its body ignored, so
    the number and code never reach a URL and are never checked here, outside the API's limits."""
    return render(request, "portal/case.html", _hashing_context())


@require_safe
def help_page(request):
    return render(request, "portal/help.html")


@require_safe
@cache_page(600)
def transparency(request):
    """Aggregate numbers only, cached for ten minutes: nothing about any case or partner."""
    return render(request, "portal/transparency.html", {"figures": queries.transparency_figures()})
