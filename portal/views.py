"""The public pages. They hold no personal data: hashing happens in the browser."""

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static


def landing(request):
    return render(request, "portal/landing.html")


def get_started(request):
    pyodide_dir = static(f"pyodide/{settings.PYODIDE_VERSION}/")
    return render(
        request,
        "portal/get_started.html",
        {"pyodide_index_url": pyodide_dir, "pyodide_lock_url": f"{pyodide_dir}pyodide-lock.json"},
    )
