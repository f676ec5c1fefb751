"""The staff admin: closed until a password and a TOTP code from a registered device are given.

Staff roles are the groups "Moderators" (review queue, quarantine, restore, disputes, benign set)
and "Administrators" (also partners, keys, webhooks and staff accounts); see the migration that
creates them. The index links to the dashboard (registry/dashboard.py).
"""

from django.urls import path
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Password and TOTP code on one page: a person with a single device need not pick it."""

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return device


class StaffAdminSite(OTPAdminSite):
    site_header = "Hash registry: staff"
    site_title = "Hash registry staff"
    index_title = "Moderation and partners"
    index_template = "admin/registry_index.html"
    login_form = StaffLoginForm

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def get_urls(self):
        from registry.dashboard import dashboard

        return [
            path("dashboard/", self.admin_view(dashboard), name="dashboard"),
            *super().get_urls(),
        ]
