"""Staff roles as groups, kept in step with the code after every migrate.

Moderators review hashes (approve, reject, quarantine, restore), settle disputes, keep the benign
set and read cases, feed events and the audit. Administrators may also manage partners, their
keys and webhooks, staff accounts and their second-factor devices. Nobody but the migration
itself edits or deletes audit rows.
"""

from django.contrib.auth.models import Group, Permission

MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"

_MODERATOR_PERMISSIONS = [
    "registry.view_case",
    "registry.view_signal",
    "registry.change_signal",
    "registry.view_dispute",
    "registry.change_dispute",
    "registry.view_verdict",
    "registry.view_benignhash",
    "registry.add_benignhash",
    "registry.view_feedevent",
    "registry.view_auditentry",
]
_ADMINISTRATOR_EXTRA = [
    "registry.view_partner",
    "registry.add_partner",
    "registry.change_partner",
    "registry.view_webhookendpoint",
    "registry.change_webhookendpoint",
    "registry.view_deliveryattempt",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "otp_totp.view_totpdevice",
    "otp_totp.add_totpdevice",
    "otp_totp.change_totpdevice",
    "otp_totp.delete_totpdevice",
]


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".")) for name in names}
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted}
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def ensure_roles(**_: object) -> None:
    """Create or update the two groups with exactly their permissions (a post_migrate handler)."""
    roles = {
        MODERATORS: _MODERATOR_PERMISSIONS,
        ADMINISTRATORS: _MODERATOR_PERMISSIONS + _ADMINISTRATOR_EXTRA,
    }
    for name, permissions in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permissions))
