"""Staff's view of the registry. Rows are changed only through actions, so most fields are read-only."""

from django.contrib import admin
from django.db.models import Count

from registry.models import AuditEntry, Case, FeedEvent, Partner, Signal


class SignalInline(admin.TabularInline):
    model = Signal
    fields = ["item", "media_type", "signal_type", "value", "quality", "status", "created_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "category", "status", "hash_count", "created_on"]
    list_filter = ["status", "category", "created_on"]
    search_fields = ["number"]
    fields = ["number", "category", "status", "created_on", "withdrawn_on"]
    readonly_fields = fields
    inlines = [SignalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(hash_count=Count("signals"))

    @admin.display(description="hashes", ordering="hash_count")
    def hash_count(self, case):
        return case.hash_count

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["id", "case", "signal_type", "short_value", "quality", "status", "created_on"]
    list_filter = ["status", "signal_type", "media_type", "case__category"]
    list_select_related = ["case"]
    search_fields = ["value", "case__number"]
    fields = [
        "case", "item", "media_type", "signal_type", "value", "quality", "status",
        "created_on", "withdrawn_on",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="value")
    def short_value(self, signal):
        return signal.value[:20] + ("…" if len(signal.value) > 20 else "")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeedEvent)
class FeedEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "action", "signal", "created_at"]
    list_filter = ["action"]
    list_select_related = ["signal"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "scopes", "is_active", "created_at"]
    fields = ["name", "key_prefix", "scopes", "is_active", "created_at"]
    readonly_fields = ["name", "key_prefix", "scopes", "is_active", "created_at"]

    def has_add_permission(self, request):
        return False  # `manage.py create_partner` shows the key once

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_ids"]
    list_filter = ["action", "object_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
