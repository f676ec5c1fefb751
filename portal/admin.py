"""The staff admin: closed until a password and a TOTP code from a registered device are given.

Staff roles are the groups "Moderators" (review queue, quarantine, restore, disputes, benign set)
and "Administrators" (also partners, keys, webhooks and staff accounts); see the migration that
creates them. The index links to the dashboard (registry/dashboard.py).
"""

from django.urls import path
from django_otp.admin import OTPAdminSite


class StaffAdminSite(OTPAdminSite):
    site_header = "Hash registry: staff"
    site_title = "Hash registry staff"
    index_title = "Moderation and partners"
    index_template = "admin/registry_index.html"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def get_urls(self):
        from registry.dashboard import dashboard

        return [
            path("dashboard/", self.admin_view(dashboard), name="dashboard"),
            *super().get_urls(),
        ]
