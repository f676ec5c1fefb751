from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from portal import observability, views

# The scripts' strings in the visitor's language, as a same-origin script (CSP-safe). Not cached:
# its URL is the same in every language, so a cached copy would keep the old language.
javascript_catalog = JavaScriptCatalog.as_view(packages=["portal"])

urlpatterns = [
    path("", views.landing, name="landing"),
    path("get-started/", views.get_started, name="get-started"),
    path("case/", views.case, name="case"),
    path("help/", views.help_page, name="help"),
    path("transparency/", views.transparency, name="transparency"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("api/v1/", include("registry.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
]

handler404 = "registry.api.errors.not_found"
handler500 = "registry.api.errors.server_error"
