from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("get-started/", views.get_started, name="get-started"),
    path("api/v1/", include("registry.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "registry.api.errors.not_found"
handler500 = "registry.api.errors.server_error"
