"""What the registry's admin pages share."""

from django.contrib import admin


def actor(request) -> str:
    """How the audit names a staff member."""
    return f"staff:{request.user.get_username()}"


class NoAddOrDelete(admin.ModelAdmin):
    """Rows that only actions create and nothing deletes: staff read them and act on them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(NoAddOrDelete):
    """A record nobody changes here (feed events, delivery attempts, the audit)."""

    def has_change_permission(self, request, obj=None):
        return False
