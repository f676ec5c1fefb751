from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "Public site"


class StaffAdminConfig(admin_apps.AdminConfig):
    """The admin, served by our two-factor admin site (portal/admin.py)."""

    default = False
    default_site = "portal.admin.StaffAdminSite"
