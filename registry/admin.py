"""Staff's view of the registry. Rows are changed only through actions, so most fields are read-only."""

from django.contrib import admin
from django.db.models import Count

from registry import webhook_actions
from registry.models import (
    AuditEntry,
    Case,
    DeliveryAttempt,
    FeedEvent,
    Partner,
    Signal,
    WebhookEndpoint,
)


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


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["attempted_at", "webhook_id", "status_code", "error", "duration_ms", "is_test"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Read-only: endpoints change through registry/webhook_actions.py. The secret is never shown."""

    list_display = ["partner", "url", "delivered_seq", "failures", "next_attempt_at", "disabled_at"]
    list_filter = ["disabled_at"]
    list_select_related = ["partner"]
    fields = [
        "partner", "url", "delivered_seq", "batch_last_seq", "failures", "failing_since",
        "next_attempt_at", "disabled_at", "disabled_reason", "lease_until", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["enable", "disable"]

    @admin.action(description="Enable: deliver again from where each partner stopped")
    def enable(self, request, queryset):
        for endpoint in queryset:
            webhook_actions.enable_webhook(endpoint, actor=f"staff:{request.user.username}")

    @admin.action(description="Disable delivery")
    def disable(self, request, queryset):
        for endpoint in queryset:
            webhook_actions.disable_webhook(
                endpoint, "Disabled by staff.", actor=f"staff:{request.user.username}"
            )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ["attempted_at", "endpoint", "webhook_id", "status_code", "error", "duration_ms"]
    list_filter = ["error", "is_test"]
    list_select_related = ["endpoint__partner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
